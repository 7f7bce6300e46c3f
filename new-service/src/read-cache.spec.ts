import { eventually, onCleanup, testDatabase } from '@strangler/tests/harness';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { quietLogger } from './testing/kafka.fixture.js';
import { ReadCache } from './read-cache.js';

const CHANNEL = 'stock_changed';
type Units = { units: number } | undefined;

let pool: pg.Pool;
beforeAll(async () => {
  const db = await testDatabase('kit_cache');
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  onCleanup(() => pool.end());
  await pool.query('CREATE TABLE stock (sku text PRIMARY KEY, units int)');
});

/** A cache over `stock`, counting how often it reads the database. */
function cacheOverStock() {
  let reads = 0;
  const read = async (sku: string): Promise<Units> => {
    reads++;
    const { rows } = await pool.query<{ units: number }>('SELECT units FROM stock WHERE sku = $1', [
      sku,
    ]);
    return rows[0];
  };
  const cache = new ReadCache({ pool, channel: CHANNEL, read, logger: quietLogger() });
  onCleanup(() => cache.stop());
  return { cache, reads: () => reads };
}

const until = (check: () => boolean | Promise<boolean>) =>
  eventually(
    async () => {
      if (!(await check())) throw new Error('timed out');
    },
    { timeoutMs: 2_000, intervalMs: 20 },
  );

/** Notifications are delivered asynchronously after commit; give them time to arrive. */
const settled = () => new Promise((r) => setTimeout(r, 100));

/** A change as a writer makes it: the write and its notification in one transaction. */
async function change(sku: string, units: number): Promise<void> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await c.query('INSERT INTO stock VALUES ($1, $2) ON CONFLICT (sku) DO UPDATE SET units = $2', [
      sku,
      units,
    ]);
    await c.query('SELECT pg_notify($1, $2)', [CHANNEL, sku]);
    await c.query('COMMIT');
  } finally {
    c.release();
  }
}

describe('ReadCache', () => {
  it('answers repeated reads from memory and reads again after the product changed', async () => {
    const { cache, reads } = cacheOverStock();
    cache.start();
    await until(() => cache.listening);
    await change('RUG', 5);
    await settled(); // let the change's own notification arrive before the first read
    expect(await cache.get('RUG')).toEqual({ units: 5 });
    expect(await cache.get('RUG')).toEqual({ units: 5 });
    expect(reads()).toBe(1);
    await change('RUG', 3);
    await until(async () => (await cache.get('RUG'))?.units === 3);
    expect(await cache.get('UNKNOWN')).toBeUndefined();
    expect(await cache.get('UNKNOWN')).toBeUndefined();
  });

  it('does not keep an answer read before a change whose notification arrived meanwhile', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let reads = 0;
    const read = async (sku: string) => {
      reads++;
      const { rows } = await pool.query<{ units: number }>(
        'SELECT units FROM stock WHERE sku = $1',
        [sku],
      );
      if (reads === 1) await gate; // the first read got its (old) row, then stalls
      return rows[0];
    };
    const cache = new ReadCache({ pool, channel: CHANNEL, read, logger: quietLogger() });
    onCleanup(() => cache.stop());
    cache.start();
    await until(() => cache.listening);
    await change('LAMP', 1);
    const stale = cache.get('LAMP');
    await until(() => reads === 1);
    await change('LAMP', 2);
    await new Promise((r) => setTimeout(r, 100)); // the notification arrives
    release();
    expect((await stale)?.units).toBe(1); // that caller saw the old value...
    expect((await cache.get('LAMP'))?.units).toBe(2); // ...but it was not kept
    expect(reads).toBe(2);
  });

  it('caches nothing while it cannot listen, and forgets everything when the listener is lost', async () => {
    const { cache, reads } = cacheOverStock();
    await change('CHAIR', 7);
    await settled();
    await cache.get('CHAIR');
    await cache.get('CHAIR');
    expect(reads()).toBe(2); // not started: every read goes to the database
    cache.start();
    await until(() => cache.listening);
    await settled();
    await cache.get('CHAIR');
    await cache.get('CHAIR');
    expect(reads()).toBe(3);
    await pool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND datname = current_database()`,
    );
    await until(() => !cache.listening);
    await cache.get('CHAIR');
    expect(reads()).toBe(4);
    await until(() => cache.listening);
  });

  it('refuses a channel that is not a plain Postgres identifier', () => {
    expect(
      () =>
        new ReadCache({ pool, channel: 'bad; DROP', read: async () => 1, logger: quietLogger() }),
    ).toThrow(
      'read cache channel "bad; DROP" must be a lower-case Postgres identifier (a-z 0-9 _)',
    );
  });
});
