/**
 * pgbench's TPC-B-like transaction as the legacy workload (3 updates and an insert each, 4 events
 * through this folder's mapper): legacy Postgres -> legacy-adapter (its own process) ->
 * embedded-kafka (its own process). Two phases:
 *   live     pgbench -c 8 while the adapter captures: commit -> Kafka lag per event, from the
 *            event's ce_time (the legacy commit) to its Kafka timestamp (set when the adapter sent it);
 *   backlog  the adapter stopped while pgbench runs, then started: transactions drained per second.
 *
 *   npm run bench:pgbench --workspace bench     [SCALE=1 CLIENTS=8 SECONDS=15]
 * pgbench comes from Debian's postgresql-client package (apt-get install -y postgresql-client).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort, waitForPort } from '@strangler/demo';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { benchKafka, benchPostgres, percentile, ROOT } from '../lib-stack.js';

const SCALE = Number(process.env.SCALE ?? 1);
const CLIENTS = Number(process.env.CLIENTS ?? 8);
const SECONDS = Number(process.env.SECONDS ?? 15);
const TOPIC = 'pgbench.events';
const EVENTS_PER_TX = 4;

try {
  execFileSync('pgbench', ['--version'], { stdio: 'ignore' });
} catch {
  console.error('pgbench is not installed: apt-get install -y postgresql-client');
  process.exit(2);
}

const postgres = await benchPostgres();
const kafka = await benchKafka(3);
const url = Object.assign(new URL(postgres.url), { pathname: '/legacy' }).toString();
const admin = new pg.Client({ connectionString: postgres.url });
await admin.connect();
await admin.query('CREATE DATABASE legacy');
await admin.end();
execFileSync('pgbench', ['-i', '-q', '-s', String(SCALE), url], { stdio: 'ignore' });
// pgbench_history has no primary key, and the adapter needs one to identify rows (what a user
// capturing this schema would add too); pgbench's INSERT names its columns, so it is unaffected.
{
  const legacy = new pg.Client({ connectionString: url });
  await legacy.connect();
  await legacy.query('ALTER TABLE pgbench_history ADD COLUMN hid bigserial PRIMARY KEY');
  await legacy.end();
}

const statusPort = await freePort();
let adapter: ChildProcess | undefined;
const here = join(ROOT, 'bench/pgbench');

async function adapterStatus(): Promise<
  | { phase: string; events: number; transactions: number; publishing: { queuedEvents: number } }
  | undefined
> {
  try {
    return (await (await fetch(`http://127.0.0.1:${statusPort}/status`)).json()) as never;
  } catch {
    return undefined;
  }
}

async function startAdapter(): Promise<void> {
  adapter = spawn(
    process.execPath,
    [join(ROOT, 'legacy-adapter/bin/strangler-legacy-adapter.js'), '--alter-replica-identity'],
    {
      env: {
        ...process.env,
        LOG_LEVEL: 'warn',
        LEGACY_DATABASE_URL: url,
        KAFKA_BROKERS: kafka.brokers.join(','),
        STRANGLER_EVENTS_TOPIC: TOPIC,
        STRANGLER_CATALOG: join(here, 'catalog.mjs'),
        STRANGLER_MAPPER: join(here, 'mapper.mjs'),
        STRANGLER_ADAPTER_STATUS_PORT: String(statusPort),
        STRANGLER_ADAPTER_STATUS_HOST: '127.0.0.1',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  await waitForPort('legacy-adapter', '127.0.0.1', statusPort);
  const deadline = Date.now() + 300_000;
  while ((await adapterStatus())?.phase !== 'streaming') {
    if (Date.now() > deadline) throw new Error('the adapter did not reach streaming in 5 minutes');
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stopAdapter(): Promise<void> {
  const child = adapter;
  adapter = undefined;
  if (!child || child.exitCode !== null) return;
  await new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

/** pgbench's TPC-B-like run; resolves to the transactions it committed and its tps. */
function pgbench(seconds: number): { transactions: number; tps: number } {
  const out = execFileSync(
    'pgbench',
    ['-n', '-c', String(CLIENTS), '-j', '2', '-T', String(seconds), url],
    { encoding: 'utf8' },
  );
  const transactions = Number(/actually processed: (\d+)/.exec(out)?.[1]);
  const tps = Number(/tps = ([\d.]+)/.exec(out)?.[1]);
  return { transactions, tps };
}

const k = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING });
const kadmin = k.admin();
await kadmin.connect();
const eventsInKafka = async () =>
  (await kadmin.fetchTopicOffsets(TOPIC)).reduce((sum, p) => sum + Number(p.high), 0);

try {
  const snapStart = performance.now();
  await startAdapter();
  const snapshot = await adapterStatus();
  console.log(
    `pgbench TPC-B-like, scale ${SCALE} (${SCALE * 100_000} accounts), ${CLIENTS} clients, ${SECONDS} s per phase; durable Postgres, embedded-kafka, 3 partitions`,
  );
  console.log(
    `  initial snapshot: ${snapshot?.events ?? '?'} events in ${((performance.now() - snapStart) / 1000).toFixed(1)} s`,
  );

  // Live: the lag of every event of the phase, read back from Kafka.
  const lags: number[] = [];
  const probe = k.consumer({ groupId: `pgbench-probe-${Date.now()}`, maxWaitTimeInMs: 50 });
  await probe.connect();
  await probe.subscribe({ topic: TOPIC, fromBeginning: false });
  const liveFrom = Date.now();
  void probe.run({
    eachMessage: async ({ message }) => {
      const committed = Date.parse(message.headers?.ce_time?.toString() ?? '');
      if (committed >= liveFrom) lags.push(Number(message.timestamp) - committed);
    },
  });
  await new Promise((r) => setTimeout(r, 2000)); // the probe joins its group first
  const before = await eventsInKafka();
  const live = pgbench(SECONDS);
  const expected = before + live.transactions * EVENTS_PER_TX;
  const deadline = Date.now() + 120_000;
  while ((await eventsInKafka()) < expected && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 200));
  // The probe reads every event of the phase before the figures are taken.
  const readBy = Date.now() + 60_000;
  while (lags.length < live.transactions * EVENTS_PER_TX && Date.now() < readBy)
    await new Promise((r) => setTimeout(r, 200));
  await probe.disconnect();
  lags.sort((a, b) => a - b);
  console.log(
    `  live: pgbench ${live.tps.toFixed(0)} tx/s (${live.transactions} transactions, ${(await eventsInKafka()) - before} events in Kafka of ${live.transactions * EVENTS_PER_TX} expected); commit -> Kafka p50 ${percentile(lags, 50)} ms, p99 ${percentile(lags, 99)} ms, max ${lags.at(-1)} ms (n=${lags.length})`,
  );

  // Backlog: written while the adapter is down, then drained.
  await stopAdapter();
  const backlogFrom = await eventsInKafka();
  const backlog = pgbench(SECONDS);
  const target = backlogFrom + backlog.transactions * EVENTS_PER_TX;
  const t0 = performance.now();
  await startAdapter();
  const streaming = performance.now();
  const until = Date.now() + 600_000;
  while ((await eventsInKafka()) < target && Date.now() < until)
    await new Promise((r) => setTimeout(r, 100));
  const drained = (performance.now() - t0) / 1000;
  const done = await eventsInKafka();
  console.log(
    `  backlog: ${backlog.transactions} transactions (${backlog.transactions * EVENTS_PER_TX} events) drained in ${drained.toFixed(1)} s from the adapter's start (${((streaming - t0) / 1000).toFixed(1)} s of it starting): ${(backlog.transactions / drained).toFixed(0)} transactions/s, ${((done - backlogFrom) / drained).toFixed(0)} events/s; once streaming ${(backlog.transactions / (drained - (streaming - t0) / 1000)).toFixed(0)} transactions/s (budget >= 10,000 transactions/s)`,
  );
  if (done < target)
    console.log(`  INCOMPLETE: ${done - backlogFrom} of ${target - backlogFrom} events`);
} finally {
  await kadmin.disconnect().catch(() => {});
  await stopAdapter();
  kafka.stop();
  await postgres.stop();
}
