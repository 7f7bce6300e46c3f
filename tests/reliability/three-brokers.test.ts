import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startApacheKafka, type ApacheKafka } from '@strangler/apache-kafka';
import {
  eventually,
  freePort,
  onCleanup,
  testDatabase,
  uniqueName,
} from '@strangler/tests/harness';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  exactlyOnce,
  legacyState,
  readModelState,
  readTopic,
  republishedDifferently,
  type PublishedEvent,
} from '../byo/bank/compare.js';
import { seed, writer } from '../byo/bank/workload.js';
import { restartable, type Restartable } from '../byo/processes.js';
import { groupCoordinator, partitionLeader } from './coordinator.js';
import { ProgressWatch } from './progress.js';

// The bank domain of tests/byo (its catalog, mapper and service, through the packages' public
// API), on a 3-broker Apache Kafka cluster (replication factor 3, min.insync.replicas=2), while
// legacy writers keep committing: kill -9 the leader of a partition the adapter writes to, and
// later the group coordinator of the new service.

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
const bank = (file: string) => join(here, '../byo/bank', file);
const WRITERS = 2;
const GROUP = 'bank-ledger';
/** How long after each kill the load goes on, and the window the stall is measured in. */
const FAULT_WINDOW_MS = 25_000;

let kafka: ApacheKafka;
let admin: Admin;
let legacy: pg.Pool;
let model: pg.Pool;
let adapter: Restartable;
let service: Restartable;
let topic: string;
let committed = 0;
let published: PublishedEvent[];
const stalls: Record<string, number> = {};

async function killNode(id: number): Promise<number> {
  const node = kafka.nodes.find((n) => n.id === id);
  if (!node) throw new Error(`no node ${id}`);
  await node.kill();
  return Date.now();
}

beforeAll(async () => {
  kafka = await startApacheKafka({ nodes: 3 });
  onCleanup(() => kafka.stop());
  const client = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING });
  admin = client.admin();
  await admin.connect();
  onCleanup(() => admin.disconnect());

  const legacyDb = await testDatabase('rel_legacy');
  const modelDb = await testDatabase('rel_model');
  legacy = new pg.Pool({ connectionString: legacyDb.url, max: WRITERS + 2 });
  model = new pg.Pool({ connectionString: modelDb.url, max: 2 });
  onCleanup(() => Promise.all([legacy.end(), model.end()]));
  await legacy.query(readFileSync(bank('legacy-schema.sql'), 'utf8'));
  await seed(legacy);

  topic = uniqueName('bank-events');
  await admin.createTopics({
    topics: [{ topic, numPartitions: 3, replicationFactor: 3 }],
    waitForLeaders: true,
  });
  const [adapterPort, servicePort] = [await freePort(), await freePort()];
  const brokers = kafka.brokers.join(',');
  adapter = restartable(
    'adapter',
    [
      join(root, 'legacy-adapter/bin/strangler-legacy-adapter.js'),
      ...['--catalog', bank('catalog.mjs'), '--mapper', bank('mapper.mjs'), '--topic', topic],
      ...['--slot', uniqueName('rel'), '--publication', uniqueName('rel')],
      ...['--status-port', String(adapterPort), '--status-host', '127.0.0.1'],
      // Shorter than the fault window, so a producer that stops answering is replaced inside it.
      ...['--publish-timeout-ms', '10000'],
    ],
    { LEGACY_DATABASE_URL: legacyDb.url, KAFKA_BROKERS: brokers, LOG_LEVEL: 'warn' },
  );
  const serviceUrl = `http://127.0.0.1:${servicePort}`;
  service = restartable('service', [bank('service.mjs')], {
    DATABASE_URL: modelDb.url,
    KAFKA_BROKERS: brokers,
    BANK_TOPIC: topic,
    PORT: String(servicePort),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
  });
  onCleanup(() => Promise.all([adapter.stop(), service.stop()]));
  // On a failure, what each side last reported and how far the tables differ, before the logs.
  const failWith = async (err: Error) => {
    const get = (url: string) =>
      fetch(url).then(
        (r) => r.text(),
        (e: Error) => e.message,
      );
    const [legacyNow, modelNow] = [await legacyState(legacy), await readModelState(model)];
    const sizes = (s: typeof legacyNow) =>
      Object.entries(s)
        .map(([table, rows]) => `${table} ${rows.length}`)
        .join(', ');
    const { rows: wal } = await legacy.query<{ lsn: string }>(
      'SELECT pg_current_wal_lsn()::text AS lsn',
    );
    throw new Error(
      [
        err.message,
        `legacy: ${sizes(legacyNow)}; read model: ${sizes(modelNow)}; legacy WAL at ${wal[0]?.lsn}`,
        `adapter /status: ${await get(`http://127.0.0.1:${adapterPort}/status`)}`,
        `service /status: ${await get(`${serviceUrl}/status`)}`,
        adapter.output(),
        service.output(),
      ].join('\n'),
    );
  };
  adapter.start();
  service.start();
  const caughtUp = async () => {
    const status = await fetch(`${serviceUrl}/status`);
    expect(((await status.json()) as { caughtUp: boolean }).caughtUp).toBe(true);
    expect(await readModelState(model)).toEqual(await legacyState(legacy));
  };
  await eventually(caughtUp, { timeoutMs: 90_000, intervalMs: 250 }).catch(failWith);

  // Progress: what the adapter confirmed to Postgres (only after Kafka acknowledged it with
  // acks=all), and what the new service applied.
  const confirmed = new ProgressWatch(async () => {
    const r = await fetch(`http://127.0.0.1:${adapterPort}/status`);
    return ((await r.json()) as { confirmedLsn?: string }).confirmedLsn;
  });
  const applied = new ProgressWatch(async () => {
    const r = await fetch(`${serviceUrl}/status`);
    const status = (await r.json()) as { consumers: Array<{ messages: { applied: number } }> };
    return String(status.consumers[0]?.messages.applied);
  });
  onCleanup(() => {
    confirmed.stop();
    applied.stop();
  });

  let stop = false;
  const load = Array.from({ length: WRITERS }, () => writer(legacy, () => stop));
  await new Promise((r) => setTimeout(r, 5_000));

  const leader = await partitionLeader(admin, topic, 0);
  const leaderKilled = await killNode(leader);
  await new Promise((r) => setTimeout(r, FAULT_WINDOW_MS));
  stalls[`partition leader (node ${leader}), adapter publishing`] = confirmed.longestStall(
    leaderKilled,
    Date.now(),
  );
  await kafka.nodes.find((n) => n.id === leader)!.start();
  await new Promise((r) => setTimeout(r, 5_000));

  const coordinator = await groupCoordinator(admin, GROUP);
  const coordinatorKilled = await killNode(coordinator);
  await new Promise((r) => setTimeout(r, FAULT_WINDOW_MS));
  stalls[`group coordinator (node ${coordinator}), service applying`] = applied.longestStall(
    coordinatorKilled,
    Date.now(),
  );
  stop = true;
  committed = (await Promise.all(load)).reduce((sum, w) => sum + w.committed, 0);
  await kafka.nodes.find((n) => n.id === coordinator)!.start();

  await eventually(caughtUp, { timeoutMs: 120_000, intervalMs: 500 }).catch(failWith);
  published = await readTopic(kafka.brokers, topic);
  const distinct = new Set(published.map((e) => e.id)).size;
  console.log(
    `3 brokers: ${committed} legacy transactions; ${published.length} messages, ${distinct} distinct events; ` +
      `time without progress: ${Object.entries(stalls)
        .map(([fault, ms]) => `${fault} ${(ms / 1000).toFixed(1)} s`)
        .join('; ')}`,
  );
}, 420_000);

describe('the pipeline on a 3-broker Apache Kafka cluster, through broker crashes', () => {
  it('kept the legacy load going through both faults', () => {
    expect(committed).toBeGreaterThan(100);
    expect(Object.keys(stalls)).toHaveLength(2);
    // Each fault is measured inside its window; standing still for all of it would be a hang.
    for (const ms of Object.values(stalls)) expect(ms).toBeLessThan(FAULT_WINDOW_MS);
  });

  it('has every committed legacy change on Kafka, republished only as identical events', async () => {
    expect(await readModelState(model)).toEqual(await legacyState(legacy));
    expect(republishedDifferently(published)).toEqual([]);
  });

  it('applied every published event exactly once', async () => {
    const once = await exactlyOnce(model, GROUP, published);
    expect(once.inboxIds).toEqual(once.publishedIds);
    expect(once.deadLettered).toEqual([]);
    expect(once.appliedPerAggregate).toEqual(once.expectedPerAggregate);
    expect(once.deadLetters).toEqual([]);
  });
});
