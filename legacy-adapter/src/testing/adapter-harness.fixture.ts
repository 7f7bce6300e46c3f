import pg from 'pg';
import pino from 'pino';
import { afterEach, beforeEach } from 'vitest';
import {
  createTestDatabase,
  databaseServerUrl,
  eventually,
  kafkaBrokers,
  uniqueName,
  type TestDatabase,
} from '@strangler/tests/harness';
import { startAdapter } from '../adapter.js';
import { parseLsn } from '../pg/lsn.js';
import type { AdapterOptions, RunningAdapter } from '../types.js';
import { shopCatalog } from './shop-catalog.fixture.js';
import { shopMapper } from './shop-mapper.fixture.js';
import { SHOP_SCHEMA, ShopWriter } from './shop-schema.fixture.js';

/** What each test of the adapter's specs gets: its own legacy database with the shop's tables. */
export interface AdapterTestContext {
  db: TestDatabase;
  pool: pg.Pool;
  writer: ShopWriter;
  running: RunningAdapter[];
}

export const silent = pino({ level: 'silent' });

/**
 * Gives every test its own legacy database (a snapshot reads every row of the captured tables),
 * and closes the adapters it started.
 */
export function adapterTestContext(): AdapterTestContext {
  const t = { running: [] } as unknown as AdapterTestContext;
  beforeEach(async () => {
    t.db = await createTestDatabase(databaseServerUrl(), 'adapter');
    t.pool = new pg.Pool({ connectionString: t.db.url });
    await t.pool.query(SHOP_SCHEMA);
    t.writer = new ShopWriter(t.pool);
  });
  afterEach(async () => {
    for (const a of t.running.splice(0)) await a.close();
    await t.pool.end();
    await t.db.drop();
  });
  return t;
}

/** Every test gets its own slot, publication and topic. */
export function names() {
  return { slot: uniqueName('slot'), publication: uniqueName('pub'), topic: uniqueName('events') };
}

export async function start(
  t: AdapterTestContext,
  n: ReturnType<typeof names>,
  extra: Partial<AdapterOptions> = {},
): Promise<RunningAdapter> {
  const adapter = await startAdapter({
    catalog: shopCatalog,
    mapper: shopMapper,
    databaseUrl: t.db.url,
    kafkaBrokers: kafkaBrokers(),
    slot: n.slot,
    publication: n.publication,
    topic: n.topic,
    alterReplicaIdentity: true,
    statusIntervalMs: 200,
    logger: silent,
    ...extra,
  } as AdapterOptions);
  t.running.push(adapter);
  return adapter;
}

/** Closes an adapter a test started, and forgets it. */
export async function stop(t: AdapterTestContext, adapter: RunningAdapter): Promise<void> {
  await adapter.close();
  t.running.splice(t.running.indexOf(adapter), 1);
}

export async function slotConfirmed(pool: pg.Pool, slot: string): Promise<bigint> {
  const { rows } = await pool.query<{ c: string }>(
    'SELECT confirmed_flush_lsn::text AS c FROM pg_replication_slots WHERE slot_name = $1',
    [slot],
  );
  return parseLsn(rows[0]!.c);
}

/** `eventually` for a value: polls `fn` until `ok` accepts what it returned, and returns that. */
export function until<T>(
  fn: () => Promise<T> | T,
  ok: (v: T) => boolean,
  what: string,
): Promise<T> {
  return eventually(async () => {
    const v = await fn();
    if (!ok(v)) throw new Error(`timed out waiting for ${what}`);
    return v;
  });
}
