import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  eventually,
  freePort,
  kafkaBrokers,
  onCleanup,
  testDatabase,
  uniqueName,
} from '@strangler/tests/harness';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  exactlyOnce,
  legacyState,
  readModelState,
  readTopic,
  republishedDifferently,
  type PublishedEvent,
} from './bank/compare.js';
import { restartable, type Restartable } from './processes.js';
import { seed, writer } from './bank/workload.js';

// A user's migration end to end, built only from the packages' public exports: their own legacy
// schema (a bank ledger: numeric money, jsonb, a large TOASTed text column, a table whose deletes
// need REPLICA IDENTITY FULL, a table the legacy app truncates), their own catalog, mapper and new
// service as plain JavaScript files (tests/byo/bank/*.mjs), run through the CLIs a user runs.
// Concurrent legacy writers; the adapter and the service are killed with SIGKILL mid-run. After
// the load: every event applied exactly once, and the read model equal to the legacy tables.

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const bank = (file: string) => join(here, 'bank', file);

const WRITERS = 4;
const LOAD_MS = 12_000;

let legacy: pg.Pool;
let model: pg.Pool;
let adapter: Restartable;
let service: Restartable;
let topic: string;
let serviceUrl: string;
let committed = 0;
let published: PublishedEvent[];

beforeAll(async () => {
  const legacyDb = await testDatabase('byo_legacy');
  const modelDb = await testDatabase('byo_model');
  legacy = new pg.Pool({ connectionString: legacyDb.url, max: WRITERS + 2 });
  model = new pg.Pool({ connectionString: modelDb.url, max: 2 });
  onCleanup(() => Promise.all([legacy.end(), model.end()]));
  await legacy.query(readFileSync(bank('legacy-schema.sql'), 'utf8'));
  await seed(legacy);

  topic = uniqueName('bank-events');
  const port = await freePort();
  serviceUrl = `http://127.0.0.1:${port}`;
  adapter = restartable(
    'adapter',
    [
      join(root, 'legacy-adapter/bin/strangler-legacy-adapter.js'),
      ...['--catalog', bank('catalog.mjs'), '--mapper', bank('mapper.mjs'), '--topic', topic],
      ...['--slot', uniqueName('bank'), '--publication', uniqueName('bank')],
    ],
    {
      LEGACY_DATABASE_URL: legacyDb.url,
      KAFKA_BROKERS: kafkaBrokers().join(','),
      LOG_LEVEL: 'warn',
    },
  );
  service = restartable('service', [bank('service.mjs')], {
    DATABASE_URL: modelDb.url,
    KAFKA_BROKERS: kafkaBrokers().join(','),
    BANK_TOPIC: topic,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
  });
  onCleanup(() => Promise.all([adapter.stop(), service.stop()]));

  adapter.start();
  service.start();
  await eventually(
    async () => {
      const status = await fetch(`${serviceUrl}/status`);
      expect(((await status.json()) as { caughtUp: boolean }).caughtUp).toBe(true);
      expect(await readModelState(model)).toEqual(await legacyState(legacy));
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n${adapter.output()}\n${service.output()}`);
  });

  // The load, with a crash of each process in the middle of it.
  const started = Date.now();
  const load = Array.from({ length: WRITERS }, () =>
    writer(legacy, () => Date.now() - started > LOAD_MS),
  );
  await new Promise((r) => setTimeout(r, LOAD_MS / 4));
  await adapter.crash();
  await new Promise((r) => setTimeout(r, 500));
  adapter.start();
  await new Promise((r) => setTimeout(r, LOAD_MS / 4));
  await service.crash();
  await new Promise((r) => setTimeout(r, 500));
  service.start();
  committed = (await Promise.all(load)).reduce((sum, w) => sum + w.committed, 0);

  await eventually(
    async () => expect(await readModelState(model)).toEqual(await legacyState(legacy)),
    { timeoutMs: 90_000, intervalMs: 500 },
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n${adapter.output()}\n${service.output()}`);
  });
  await eventually(
    async () => {
      const status = await fetch(`${serviceUrl}/status`);
      expect(((await status.json()) as { caughtUp: boolean }).caughtUp).toBe(true);
    },
    { timeoutMs: 30_000 },
  );
  published = await readTopic(kafkaBrokers(), topic);
  const distinct = new Set(published.map((e) => e.id)).size;
  console.log(
    `bring-your-own: ${committed} legacy transactions by ${WRITERS} writers; ${published.length} messages on Kafka, ${distinct} distinct events (${published.length - distinct} republished after the adapter's kill -9)`,
  );
}, 240_000);

describe('a bank ledger strangled with its own catalog, mapper and service', () => {
  it('ran the legacy load with both crashes', () => {
    expect(committed).toBeGreaterThan(100);
    expect(adapter.output()).toMatch(/signal SIGKILL/);
    expect(service.output()).toMatch(/signal SIGKILL/);
  });

  it('ends with the read model equal to the legacy tables', async () => {
    const [expected, actual] = [await legacyState(legacy), await readModelState(model)];
    expect(actual).toEqual(expected);
    expect(expected.accounts.length).toBeGreaterThan(0);
    expect(expected.holds.length).toBeGreaterThan(0);
    // The large statements made it through, including updates that did not resend them.
    expect(expected.accounts.some((a) => (a.statement?.length ?? 0) > 4000)).toBe(true);
  });

  it('publishes a change again only as the same event: same id, same key, same data', () => {
    expect(republishedDifferently(published)).toEqual([]);
    const types = new Set(published.map((e) => e.type));
    for (const type of ['account_opened', 'account_changed', 'hold_released', 'rates_cleared']) {
      expect(
        [...types].some((t) => t.includes(type)),
        type,
      ).toBe(true);
    }
  });

  it('applies every published event exactly once', async () => {
    const once = await exactlyOnce(model, 'bank-ledger', published);
    expect(once.inboxIds).toEqual(once.publishedIds);
    expect(once.deadLettered).toEqual([]);
    expect(once.appliedPerAggregate).toEqual(once.expectedPerAggregate);
    expect(once.deadLetters).toEqual([]);
  });
});
