// The user's new service: a read model of the bank, fed by their catalog's events, on the public
// API of @strangler/new-service. Run as `node service.mjs` with DATABASE_URL, KAFKA_BROKERS, PORT
// and BANK_TOPIC.
import { readFileSync } from 'node:fs';
import { defineConsumer, get, notFound, runServiceCli } from '@strangler/new-service';
import { catalog } from './catalog.mjs';

const { types } = catalog;
const readModel = readFileSync(new URL('./read-model.sql', import.meta.url), 'utf8');

/** One statement per event, so a second application of the same event would show in `applied`. */
async function project(event, tx) {
  const d = event.data;
  await tx.query(
    `INSERT INTO applied VALUES ($1, 1) ON CONFLICT (aggregate_id) DO UPDATE SET events = applied.events + 1`,
    [event.partitionkey],
  );
  switch (event.type) {
    case types.AccountOpened:
      await tx.query(
        `INSERT INTO account_view (id, owner, balance, profile, statement) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET owner = $2, balance = $3, profile = $4, statement = $5`,
        [
          d.accountId,
          d.owner,
          d.balance,
          d.profile === null ? null : JSON.stringify(d.profile),
          d.statement,
        ],
      );
      return;
    case types.AccountChanged: {
      const updated = await tx.query(
        `UPDATE account_view SET owner = $2, balance = $3, profile = $4,
           statement = CASE WHEN $5 THEN $6 ELSE statement END WHERE id = $1`,
        [
          d.accountId,
          d.owner,
          d.balance,
          d.profile === null ? null : JSON.stringify(d.profile),
          'statement' in d,
          d.statement ?? null,
        ],
      );
      return updated.rowCount === 1 ? 'applied' : 'unchanged';
    }
    case types.AccountClosed:
      await tx.query(`DELETE FROM hold_view WHERE account_id = $1`, [d.accountId]);
      await tx.query(`DELETE FROM account_view WHERE id = $1`, [d.accountId]);
      return;
    case types.HoldPlaced:
      await tx.query(
        `INSERT INTO hold_view VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET account_id = $2, amount = $3, note = $4`,
        [d.holdId, d.accountId, d.amount, d.note],
      );
      return;
    case types.HoldReleased:
      await tx.query(`DELETE FROM hold_view WHERE id = $1`, [d.holdId]);
      return;
    case types.RateSet:
      await tx.query(
        `INSERT INTO rate_view VALUES ($1, $2) ON CONFLICT (currency) DO UPDATE SET rate = $2`,
        [d.currency, d.rate],
      );
      return;
    case types.RateRemoved:
      await tx.query(`DELETE FROM rate_view WHERE currency = $1`, [d.currency]);
      return;
    case types.RatesCleared:
      await tx.query(`DELETE FROM rate_view`);
      return;
    default:
      throw new Error(`unhandled event ${event.type}`);
  }
}

const ledger = defineConsumer({
  name: 'bank-ledger',
  catalog,
  topic: process.env.BANK_TOPIC ?? 'bank.events',
  unitOfWork: (tx) => tx,
  handle: project,
  reset: async (tx) => {
    await tx.query('TRUNCATE account_view, hold_view, rate_view, applied');
  },
});

await runServiceCli({
  name: 'bank-service',
  description: 'the bank read model built from the legacy ledger events',
  service: () => ({
    consumers: [ledger],
    migrations: [readModel],
    routes: [
      get('/accounts/:id', async ({ params, pool }) => {
        const { rows } = await pool.query('SELECT * FROM account_view WHERE id = $1', [params.id]);
        if (!rows[0]) throw notFound(`No account ${params.id}`);
        return rows[0];
      }),
    ],
  }),
});
