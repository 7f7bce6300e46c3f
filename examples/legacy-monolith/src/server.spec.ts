import { testDatabase } from '@strangler/tests/harness';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from './schema.js';
import { startServer } from './server.js';

const silent = pino({ level: 'silent' });
let databaseUrl: string;
let sql: pg.Pool;
beforeAll(async () => {
  databaseUrl = (await testDatabase('server')).url;
  sql = new pg.Pool({ connectionString: databaseUrl, max: 4 });
});
afterAll(() => sql.end());

describe('migrate', () => {
  it('creates the four tables, each with a primary key, and can run again and in parallel', async () => {
    await Promise.all([migrate(sql), migrate(sql), migrate(sql)]);
    await migrate(sql);
    const { rows } = await sql.query<{ table_name: string }>(
      `SELECT tc.table_name FROM information_schema.table_constraints tc
       WHERE tc.table_schema = 'public' AND tc.constraint_type = 'PRIMARY KEY'
       ORDER BY tc.table_name`,
    );
    expect(rows.map((r) => r.table_name)).toEqual([
      'allocations',
      'batches',
      'order_lines',
      'products',
    ]);
  });

  it('enforces the invariants the API relies on in the tables too', async () => {
    await migrate(sql);
    await expect(
      sql.query(
        "INSERT INTO batches (reference, sku, purchased_quantity) VALUES ('r', 'no-such-sku', 1)",
      ),
    ).rejects.toThrow(/foreign key/);
    await expect(
      sql.query("INSERT INTO order_lines (orderid, sku, qty) VALUES ('o', 's', 0)"),
    ).rejects.toThrow(/check constraint/);
  });
});

describe('startServer', () => {
  it('lets a request in flight finish when closed, then refuses new connections', async () => {
    const server = await startServer({ databaseUrl, port: 0, host: '127.0.0.1', logger: silent });
    await fetch(`${server.url}/batches`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ref: 'slow-batch', sku: 'SLOW', qty: 5 }),
    });
    // Hold the product lock so the allocation below is provably in flight when close() starts.
    const blocker = await sql.connect();
    await blocker.query('BEGIN');
    await blocker.query("SELECT 1 FROM products WHERE sku = 'SLOW' FOR UPDATE");
    const inFlight = fetch(`${server.url}/allocate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ orderid: 'slow-order', sku: 'SLOW', qty: 1 }),
    });
    await waitFor(async () => {
      const { rows } = await sql.query(
        "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'legacy-monolith' AND wait_event_type = 'Lock'",
      );
      return rows.length > 0;
    });
    const closed = server.close();
    await blocker.query('COMMIT');
    blocker.release();
    const answer = await inFlight;
    expect(answer.status).toBe(201);
    expect(await answer.json()).toMatchObject({ batchref: 'slow-batch' });
    await closed;
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });

  it('ends the pool it made but not a pool it was given', async () => {
    const given = new pg.Pool({ connectionString: databaseUrl, max: 1 });
    const server = await startServer({ pool: given, port: 0, host: '127.0.0.1', logger: silent });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    await server.close();
    const { rows } = await given.query<{ one: number }>('SELECT 1 AS one');
    expect(rows[0]?.one).toBe(1);
    await given.end();
  });

  it('rejects when the port is taken, and without a database URL', async () => {
    const first = await startServer({ databaseUrl, port: 0, host: '127.0.0.1', logger: silent });
    await expect(
      startServer({ databaseUrl, port: first.port, host: '127.0.0.1', logger: silent }),
    ).rejects.toThrow(/EADDRINUSE/);
    await first.close();
    await expect(startServer({ logger: silent })).rejects.toThrow(
      'databaseUrl (or pool) is required',
    );
  });
});

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('condition not reached within 5 s');
}
