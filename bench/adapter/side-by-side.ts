/**
 * Our legacy adapter next to Debezium's PostgreSQL connector (embedded engine, bench/debezium), both
 * publishing to the same Apache Kafka broker with acks=all, in one run:
 *
 * - backlog: ROWS inserted rows (ROWS_PER_TX a transaction) wait in both slots; each pipeline is
 *   then started alone and timed from its first event on Kafka to its last: events/s.
 * - steady: RATE one-row transactions a second for SECONDS, each pipeline alone and caught up
 *   (Debezium first, straight after its backlog; then ours): commit-to-Kafka p50 and p99, from the
 *   moment the writer's COMMIT returned to the broker's LogAppendTime of the event.
 *
 *   npm run bench:adapter:debezium --workspace bench   [ROWS=100000 ROWS_PER_TX=100 RATE=500 SECONDS=20 DEBEZIUM_POLL_MS=10]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import pg from 'pg';
import pino from 'pino';
import { startApacheKafka } from '@strangler/apache-kafka';
import { allocationCatalog } from '@strangler/example-allocation/catalog';
import allocationMapper from '@strangler/example-allocation/mapper';
import { startAdapter } from '@strangler/legacy-adapter';
import { benchPostgres, LEGACY_SCHEMA, percentile, ROOT } from '../lib-stack.js';
import { startChildPipeline, type ChildPipeline } from './child-pipeline.js';
import { buildDebeziumRunner, DEBEZIUM_VERSION, startDebezium } from './debezium.js';

// kafkajs is CommonJS: Node sees Kafka and logLevel as named exports, not ConfigResourceTypes.
const { ConfigResourceTypes, Kafka, logLevel } = kafkajs;

const ROWS = Number(process.env.ROWS ?? 100_000);
const ROWS_PER_TX = Number(process.env.ROWS_PER_TX ?? 100);
const RATE = Number(process.env.RATE ?? 500);
const SECONDS = Number(process.env.SECONDS ?? 20);
// Debezium's default (500 ms) lets a batch wait half a second to fill when changes trickle in;
// a small value is its own documented latency setting, so the steady part compares against
// Debezium tuned for latency, not against a default made for throughput.
const DEBEZIUM_POLL_MS = Number(process.env.DEBEZIUM_POLL_MS ?? 10);
const STEADY = RATE * SECONDS;
const TABLES = ['public.products', 'public.batches', 'public.order_lines', 'public.allocations'];
const OURS_TOPIC = 'bench.ours';
const DEBEZIUM_TOPIC = 'bench.debezium';
const SCHEMA = LEGACY_SCHEMA;

const note = (line: string) => process.stderr.write(`[side-by-side] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

// Before anything starts: a missing java or mvn is reported at once, not after Postgres and Kafka.
const classpath = await buildDebeziumRunner(note);
const postgres = await benchPostgres();
const kafka = await startApacheKafka({ log: note });
const scratch = mkdtempSync(join(tmpdir(), 'strangler-bench-debezium-'));
const client = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING });
const admin = client.admin();
const url = new URL(postgres.url);
url.pathname = '/bench';
const databaseUrl = url.toString();
let db: pg.Pool | undefined;
const running: ChildPipeline[] = [];

try {
  const setup = new pg.Client({ connectionString: postgres.url });
  await setup.connect();
  await setup.query('CREATE DATABASE bench');
  await setup.end();
  db = new pg.Pool({ connectionString: databaseUrl, max: 8 });
  await db.query(SCHEMA);
  await db.query(`INSERT INTO products (sku) SELECT 'SKU-' || i FROM generate_series(1, 100) i`);

  // The broker stamps each message when it appends it (LogAppendTime): one clock, the machine's,
  // for both pipelines, taken where acks=all is decided (one replica here), whatever the producer.
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [OURS_TOPIC, DEBEZIUM_TOPIC].map((topic) => ({
      topic,
      numPartitions: 3,
      replicationFactor: 1,
      configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }],
    })),
  });
  // The latencies mean nothing if the producers' own clocks (CreateTime) were read instead.
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [OURS_TOPIC, DEBEZIUM_TOPIC].map((name) => ({
      type: ConfigResourceTypes.TOPIC,
      name,
      configNames: ['message.timestamp.type'],
    })),
  });
  for (const r of resources) {
    const type = r.configEntries.find(
      (e) => e.configName === 'message.timestamp.type',
    )?.configValue;
    if (type !== 'LogAppendTime')
      throw new Error(`${r.resourceName}: message.timestamp.type is ${type}`);
  }

  // Our first start creates our slot and publication and snapshots the products (to a topic of
  // its own, so bench.ours holds only captured changes); then both slots wait for the backlog.
  const first = await startAdapter({
    databaseUrl,
    kafkaBrokers: kafka.brokers,
    topic: 'bench.ours.snapshot',
    catalog: allocationCatalog,
    mapper: allocationMapper,
    alterReplicaIdentity: true,
    logger: pino({ level: 'warn' }, pino.destination(2)),
  });
  await first.close();
  await db.query("SELECT pg_create_logical_replication_slot('debezium', 'pgoutput')");
  await db.query(`CREATE PUBLICATION debezium FOR TABLE ${TABLES.join(', ')}`);

  const t0 = performance.now();
  for (let done = 0; done < ROWS; done += ROWS_PER_TX) {
    await db.query(
      `INSERT INTO batches (reference, sku, purchased_quantity) SELECT 'b-' || i, 'SKU-' || (i % 100 + 1), 10 FROM generate_series($1::int, $2::int) i`,
      [done, Math.min(done + ROWS_PER_TX, ROWS) - 1],
    );
  }
  const writeMs = performance.now() - t0;
  note(`backlog of ${fmt(ROWS)} rows written in ${(writeMs / 1000).toFixed(1)} s`);

  // Backlog, ours alone.
  const ours = track(startOurs());
  await waitForTopic(OURS_TOPIC, ROWS, ours);
  await stop(ours);
  const oursBacklogSpawn = ours.spawnedAt;

  // Backlog, Debezium alone; it then stays up for its steady part.
  const debezium = track(
    startDebezium({
      classpath,
      databaseUrl,
      slot: 'debezium',
      publication: 'debezium',
      tables: TABLES,
      kafkaBrokers: kafka.brokers,
      topic: DEBEZIUM_TOPIC,
      offsetsFile: join(scratch, 'offsets.dat'),
      pollIntervalMs: DEBEZIUM_POLL_MS,
    }),
  );
  await waitForTopic(DEBEZIUM_TOPIC, ROWS, debezium);

  // Steady, Debezium alone (ours is stopped; its slot keeps these rows for later).
  await sleep(2000);
  const debeziumCommits = await steadyWrites('s-debezium');
  await waitForTopic(DEBEZIUM_TOPIC, ROWS + STEADY, debezium);
  await stop(debezium);

  // Steady, ours alone: it first catches up on Debezium's steady rows, then the measured ones.
  const oursAgain = track(startOurs());
  await waitForTopic(OURS_TOPIC, ROWS + STEADY, oursAgain);
  await sleep(2000);
  const oursCommits = await steadyWrites('s-ours');
  await waitForTopic(OURS_TOPIC, ROWS + 2 * STEADY, oursAgain);
  await stop(oursAgain);

  // Read back only now, so no consumer competed with a pipeline while it was measured.
  const oursLog = await readTopic(OURS_TOPIC, (v) => (JSON.parse(v) as { ref: string }).ref);
  const debeziumLog = await readTopic(
    DEBEZIUM_TOPIC,
    (v) => (JSON.parse(v) as { after: { reference: string } }).after.reference,
  );

  const oursBacklog = backlogRate(oursLog, oursBacklogSpawn);
  const debeziumBacklog = backlogRate(debeziumLog, debezium.spawnedAt);
  const oursSteady = latencies(oursLog, oursCommits);
  const debeziumSteady = latencies(debeziumLog, debeziumCommits);

  const ms = (n: number) => `${fmt(n)} ms`.padStart(8);
  console.log(
    `legacy-adapter vs Debezium ${DEBEZIUM_VERSION} (embedded PostgresConnector, pgoutput), each publishing with acks=all to Apache Kafka ${kafka.version} (1 node); one pipeline at a time`,
  );
  console.log(
    `backlog: ${fmt(ROWS)} inserted rows in ${fmt(ROWS / ROWS_PER_TX)} transactions, waiting in both slots; events/s from first to last event on Kafka`,
  );
  for (const [name, r] of [
    ['ours    ', oursBacklog],
    ['Debezium', debeziumBacklog],
  ] as const) {
    console.log(
      `  ${name}  ${fmt(r.rate).padStart(7)} events/s  (${fmt(r.events)} events in ${(r.spanMs / 1000).toFixed(2)} s; first event ${(r.firstAfterMs / 1000).toFixed(1)} s after process start)`,
    );
  }
  console.log(`  ours / Debezium  ${(oursBacklog.rate / debeziumBacklog.rate).toFixed(2)}`);
  console.log(
    `steady: ${fmt(RATE)} one-row transactions/s for ${SECONDS} s; commit-to-Kafka = COMMIT returned to the writer -> broker LogAppendTime (ms clocks, same machine); Debezium poll.interval.ms=${DEBEZIUM_POLL_MS}`,
  );
  for (const [name, r] of [
    ['ours    ', oursSteady],
    ['Debezium', debeziumSteady],
  ] as const) {
    console.log(
      `  ${name}  p50 ${ms(r.p50)}  p99 ${ms(r.p99)}  max ${ms(r.max)}  (${fmt(r.events)} events; writer reached ${fmt(r.writerRate)} tx/s)`,
    );
  }
  console.log(
    `  ours / Debezium  p50 ${(oursSteady.p50 / debeziumSteady.p50).toFixed(2)}  p99 ${(oursSteady.p99 / debeziumSteady.p99).toFixed(2)}`,
  );
} finally {
  for (const child of running) await child.stop().catch(() => {});
  await admin.disconnect().catch(() => {});
  await db?.end();
  await kafka.stop();
  await postgres.stop();
  rmSync(scratch, { recursive: true, force: true });
}

function startOurs(): ChildPipeline {
  return startChildPipeline('our adapter', process.execPath, [
    // The bench runs under tsx: its loader lets the child run TypeScript too.
    ...process.execArgv,
    join(ROOT, 'bench/adapter/adapter-process.ts'),
    JSON.stringify({ databaseUrl, kafkaBrokers: kafka.brokers, topic: OURS_TOPIC }),
  ]);
}

function backlogRate(log: TopicLog, spawnedAt: number) {
  const times = [...log.entries()].filter(([ref]) => ref.startsWith('b-')).map(([, t]) => t);
  if (times.length !== ROWS)
    throw new Error(`expected ${ROWS} backlog events, found ${times.length}`);
  const first = Math.min(...times);
  const spanMs = Math.max(...times) - first;
  return {
    events: times.length,
    spanMs,
    rate: ((times.length - 1) / spanMs) * 1000,
    firstAfterMs: first - spawnedAt,
  };
}

function latencies(log: TopicLog, writes: SteadyWrites) {
  const values: number[] = [];
  for (const [ref, committedAt] of writes.commits) {
    const appended = log.get(ref);
    if (appended === undefined) throw new Error(`the event of row ${ref} is not on Kafka`);
    values.push(appended - committedAt);
  }
  values.sort((a, b) => a - b);
  return {
    events: values.length,
    p50: percentile(values, 50),
    p99: percentile(values, 99),
    max: values[values.length - 1]!,
    writerRate: writes.rate,
  };
}

function track(child: ChildPipeline): ChildPipeline {
  running.push(child);
  return child;
}

async function stop(child: ChildPipeline): Promise<void> {
  await child.stop();
  running.splice(running.indexOf(child), 1);
}

/** Messages on a topic: what is acknowledged with acks=all is below the high watermarks. */
async function topicCount(topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, p) => sum + Number(p.high), 0);
}

/** Polls the topic's high watermarks until `count` messages are on it. */
async function waitForTopic(topic: string, count: number, child: ChildPipeline): Promise<void> {
  let seen = -1;
  let movedAt = Date.now();
  for (;;) {
    const failure = child.failure();
    if (failure) throw failure;
    const now = await topicCount(topic);
    if (now >= count) return;
    if (now !== seen) {
      seen = now;
      movedAt = Date.now();
    } else if (Date.now() - movedAt > 120_000) {
      throw new Error(`${child.name}: ${topic} stuck at ${now} of ${count} messages for 2 minutes`);
    }
    await sleep(50);
  }
}

interface SteadyWrites {
  /** Row reference -> Date.now() when its one-row transaction's COMMIT returned. */
  commits: Map<string, number>;
  /** Transactions a second actually committed. */
  rate: number;
}

/**
 * RATE one-row transactions a second on a schedule (open loop: a slow commit does not delay the
 * next one), several connections at once as an application's pool would.
 */
async function steadyWrites(prefix: string): Promise<SteadyWrites> {
  const commits = new Map<string, number>();
  const pending: Promise<unknown>[] = [];
  const start = performance.now();
  for (let i = 0; i < STEADY; i++) {
    const due = start + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait >= 1) await sleep(wait);
    const ref = `${prefix}-${i}`;
    pending.push(
      db!
        .query('INSERT INTO batches (reference, sku, purchased_quantity) VALUES ($1, $2, 10)', [
          ref,
          `SKU-${(i % 100) + 1}`,
        ])
        .then(() => commits.set(ref, Date.now())),
    );
  }
  await Promise.all(pending);
  return { commits, rate: (STEADY / (performance.now() - start)) * 1000 };
}

type TopicLog = Map<string, number>;

/** Reads a whole topic: row reference -> LogAppendTime of its (first) event. */
async function readTopic(topic: string, refOf: (value: string) => string): Promise<TopicLog> {
  const count = await topicCount(topic);
  const log: TopicLog = new Map();
  let read = 0;
  const consumer = client.consumer({
    groupId: `bench-read-${topic}-${Date.now()}`,
    maxBytes: 16 * 1024 * 1024,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            read++;
            const ref = refOf(m.value!.toString());
            if (!log.has(ref)) log.set(ref, Number(m.timestamp));
          }
          if (read >= count) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  if (read !== count) throw new Error(`${topic}: read ${read} messages, expected ${count}`);
  // At-least-once delivery may repeat an event; the first copy is the one a consumer acts on.
  if (log.size !== count) note(`${topic}: ${count - log.size} duplicate event(s)`);
  return log;
}
