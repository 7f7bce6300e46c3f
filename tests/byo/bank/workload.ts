import { randomBytes } from 'node:crypto';
import type pg from 'pg';

/** A statement long enough to be stored out of line (TOAST), and not compressible. */
export const bigText = () => randomBytes(3000).toString('hex');

const CURRENCIES = ['EUR', 'GBP', 'JPY', 'CHF', 'SEK', 'NOK', 'DKK', 'PLN'];

/** Rows that exist before the adapter's first start: they reach Kafka through the snapshot. */
export async function seed(db: pg.Pool): Promise<void> {
  for (let i = 0; i < 12; i++) {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO accounts (owner, balance, profile, statement) VALUES ($1, $2, $3, $4) RETURNING id`,
      [
        `owner-${i}`,
        (i * 10.25).toFixed(2),
        JSON.stringify({ tier: i % 2 ? 'gold' : 'basic', n: i }),
        i % 3 ? bigText() : null,
      ],
    );
    await db.query(`INSERT INTO holds (account_id, amount, note) VALUES ($1, 1.50, 'seed')`, [
      rows[0]!.id,
    ]);
  }
  await db.query(`INSERT INTO fx_rates VALUES ('EUR', 1.08), ('GBP', 0.86)`);
}

type Op = (c: pg.PoolClient, pick: () => Promise<string | undefined>) => Promise<void>;

const ops: Array<[weight: number, op: Op]> = [
  [
    3,
    async (c) => {
      await c.query(
        `INSERT INTO accounts (owner, balance, profile, statement) VALUES ($1, 0, $2, $3)`,
        [
          `owner-${randomBytes(3).toString('hex')}`,
          JSON.stringify({ tier: 'new', tags: ['a', 'b'], nested: { x: 1 } }),
          Math.random() < 0.5 ? bigText() : null,
        ],
      );
    },
  ],
  [
    8,
    async (c, pick) => {
      const id = await pick();
      if (id)
        await c.query(`UPDATE accounts SET balance = balance + $2 WHERE id = $1`, [
          id,
          (Math.random() * 100).toFixed(2),
        ]);
    },
  ],
  [
    4,
    async (c, pick) => {
      // A transfer: two aggregates in one transaction.
      const [a, b] = [await pick(), await pick()];
      if (!a || !b || a === b) return;
      const amount = (Math.random() * 10).toFixed(2);
      await c.query(`UPDATE accounts SET balance = balance - $2 WHERE id = $1`, [a, amount]);
      await c.query(`UPDATE accounts SET balance = balance + $2 WHERE id = $1`, [b, amount]);
    },
  ],
  [
    2,
    async (c, pick) => {
      const id = await pick();
      if (id)
        await c.query(
          `UPDATE accounts SET profile = jsonb_set(coalesce(profile, '{}'), '{seen}', to_jsonb(now()::text)) WHERE id = $1`,
          [id],
        );
    },
  ],
  [
    1,
    async (c, pick) => {
      const id = await pick();
      if (id) await c.query(`UPDATE accounts SET statement = $2 WHERE id = $1`, [id, bigText()]);
    },
  ],
  [
    4,
    async (c, pick) => {
      const id = await pick();
      if (id)
        await c.query(`INSERT INTO holds (account_id, amount, note) VALUES ($1, $2, $3)`, [
          id,
          (Math.random() * 50).toFixed(2),
          Math.random() < 0.5 ? 'card' : null,
        ]);
    },
  ],
  [
    3,
    async (c) => {
      await c.query(
        `DELETE FROM holds WHERE id = (SELECT id FROM holds ORDER BY random() LIMIT 1)`,
      );
    },
  ],
  [
    2,
    async (c) => {
      await c.query(
        `UPDATE holds SET amount = amount + 1 WHERE id = (SELECT id FROM holds ORDER BY random() LIMIT 1)`,
      );
    },
  ],
  [
    1,
    async (c, pick) => {
      // Closing an account deletes its holds too (ON DELETE CASCADE): several changes, one transaction.
      const id = await pick();
      if (id) await c.query(`DELETE FROM accounts WHERE id = $1`, [id]);
    },
  ],
  [
    3,
    async (c) => {
      const currency = CURRENCIES[Math.floor(Math.random() * CURRENCIES.length)]!;
      await c.query(
        `INSERT INTO fx_rates VALUES ($1, $2) ON CONFLICT (currency) DO UPDATE SET rate = EXCLUDED.rate`,
        [currency, (Math.random() * 10).toFixed(8)],
      );
    },
  ],
  [
    1,
    async (c) => {
      await c.query(`DELETE FROM fx_rates WHERE currency = $1`, [
        CURRENCIES[Math.floor(Math.random() * CURRENCIES.length)],
      ]);
    },
  ],
  [
    1,
    async (c) => {
      // The legacy app's nightly job: empty the rate table and load it again, in one transaction.
      await c.query(`TRUNCATE fx_rates`);
      await c.query(`INSERT INTO fx_rates VALUES ('EUR', $1), ('USD', 1)`, [
        (1 + Math.random()).toFixed(8),
      ]);
    },
  ],
];
const totalWeight = ops.reduce((sum, [w]) => sum + w, 0);

function randomOp(): Op {
  let r = Math.random() * totalWeight;
  for (const [w, op] of ops) if ((r -= w) < 0) return op;
  return ops[0]![1];
}

/**
 * One legacy writer: random transactions until `stop()` says so. A transaction that fails (a
 * concurrent writer deleted its row, a deadlock) rolls back, as in any legacy app; committed ones
 * are counted.
 */
export async function writer(db: pg.Pool, stop: () => boolean): Promise<{ committed: number }> {
  let committed = 0;
  while (!stop()) {
    const c = await db.connect();
    try {
      await c.query('BEGIN');
      const pick = async () =>
        (await c.query<{ id: string }>(`SELECT id FROM accounts ORDER BY random() LIMIT 1`)).rows[0]
          ?.id;
      await randomOp()(c, pick);
      await c.query('COMMIT');
      committed++;
    } catch {
      await c.query('ROLLBACK').catch(() => {});
    } finally {
      c.release();
    }
  }
  return { committed };
}
