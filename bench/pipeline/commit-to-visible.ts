/**
 * Legacy commit -> new-service read model visible, at a steady rate of legacy transactions:
 * legacy Postgres -> legacy-adapter (its own process) -> Kafka (embedded-kafka, its own process) ->
 * new-service (its own process) -> its Postgres. Each legacy transaction adds one batch; a trigger
 * in the new service's database NOTIFYs when the batch lands there, and the bench times that
 * against the moment the legacy COMMIT returned.
 *
 *   npm run bench:pipeline --workspace bench     [RATE=500 SECONDS=20]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, waitForPort } from '@strangler/demo';
import { benchKafka, benchPostgres, LEGACY_SCHEMA, percentile, ROOT } from '../lib-stack.js';

const RATE = Number(process.env.RATE ?? 500);
const SECONDS = Number(process.env.SECONDS ?? 20);
const WARMUP_SECONDS = 3;
const SCHEMA = `${LEGACY_SCHEMA}INSERT INTO products (sku) SELECT 'SKU-' || i FROM generate_series(1, 100) i;
`;

const postgres = await benchPostgres();
const kafka = await benchKafka(3);
const children: ChildProcess[] = [];
const dbUrl = (name: string) =>
  Object.assign(new URL(postgres.url), { pathname: `/${name}` }).toString();
const admin = new pg.Client({ connectionString: postgres.url });
await admin.connect();
await admin.query('CREATE DATABASE legacy');
await admin.query('CREATE DATABASE newsvc');
await admin.end();
const legacy = new pg.Pool({ connectionString: dbUrl('legacy'), max: 16 });
await legacy.query(SCHEMA);

function run(name: string, script: string, env: Record<string, string>, args: string[] = []): void {
  const child = spawn(process.execPath, [join(ROOT, script), ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  child.on(
    'exit',
    (code) => code !== null && code !== 0 && console.error(`${name} exited with ${code}`),
  );
  children.push(child);
}

try {
  const newPort = await freePort();
  run(
    'legacy-adapter',
    'legacy-adapter/bin/strangler-legacy-adapter.js',
    {
      LEGACY_DATABASE_URL: dbUrl('legacy'),
      KAFKA_BROKERS: kafka.brokers.join(','),
      STRANGLER_EVENTS_TOPIC: 'bench.events',
      STRANGLER_CATALOG: join(ROOT, 'examples/allocation/dist/catalog/index.js'),
      STRANGLER_MAPPER: join(ROOT, 'examples/allocation/dist/mapper/index.js'),
    },
    ['--alter-replica-identity'],
  );
  run('new-service', 'examples/allocation/bin/allocation-service.js', {
    DATABASE_URL: dbUrl('newsvc'),
    KAFKA_BROKERS: kafka.brokers.join(','),
    STRANGLER_EVENTS_TOPIC: 'bench.events',
    PORT: String(newPort),
    HOST: '127.0.0.1',
  });
  await waitForPort('new-service', '127.0.0.1', newPort);

  const listener = new pg.Client({ connectionString: dbUrl('newsvc') });
  await listener.connect();
  await listener.query(
    `CREATE FUNCTION bench_visible() RETURNS trigger AS $$ BEGIN PERFORM pg_notify('visible', NEW.reference); RETURN NEW; END $$ LANGUAGE plpgsql`,
  );
  await listener.query(
    'CREATE TRIGGER bench_visible AFTER INSERT ON batch FOR EACH ROW EXECUTE FUNCTION bench_visible()',
  );
  const committedAt = new Map<string, number>();
  // Arrival times are kept apart from commit times: a notification may be handled before the
  // writer's COMMIT continuation runs.
  const visibleAt = new Map<string, number>();
  listener.on('notification', (n) => visibleAt.set(n.payload!, performance.now()));
  const latenciesOf = () =>
    [...committedAt].flatMap(([ref, at]) => {
      const seen = visibleAt.get(ref);
      return seen === undefined ? [] : [{ at, ms: Math.max(0, seen - at) }];
    });
  await listener.query('LISTEN visible');
  const inKafka: number[] = [];
  if (process.env.TIMELINE) {
    const { Kafka, logLevel } = await import('kafkajs');
    const c = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).consumer({
      groupId: 'bench-probe',
      maxWaitTimeInMs: 50,
    });
    await c.connect();
    await c.subscribe({ topic: 'bench.events', fromBeginning: false });
    void c.run({
      eachMessage: async ({ message }) => {
        const ref = (JSON.parse(message.value!.toString()) as { ref?: string }).ref;
        const t = ref ? committedAt.get(ref) : undefined;
        if (t !== undefined) inKafka.push(performance.now() - t);
      },
    });
  }

  const total = RATE * (SECONDS + WARMUP_SECONDS);
  const start = performance.now();
  let failures = 0;
  // Open loop: transaction i is due at start + i/RATE, whatever happened to the ones before it.
  // Sixteen writers take the due transactions in turn, as sixteen legacy app threads would.
  let next = 0;
  const writer = async () => {
    const c = await legacy.connect();
    try {
      for (let i = next++; i < total; i = next++) {
        const wait = start + (i * 1000) / RATE - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const ref = `b-${i}`;
        const sku = `SKU-${(i % 100) + 1}`;
        try {
          await c.query('BEGIN');
          await c.query(
            'INSERT INTO batches (reference, sku, purchased_quantity) VALUES ($1, $2, 10)',
            [ref, sku],
          );
          await c.query('UPDATE products SET version_number = version_number + 1 WHERE sku = $1', [
            sku,
          ]);
          await c.query('COMMIT');
          committedAt.set(ref, performance.now());
        } catch {
          failures++;
          await c.query('ROLLBACK').catch(() => {});
        }
      }
    } finally {
      c.release();
    }
  };
  const writes = Array.from({ length: 16 }, writer);
  await Promise.all(writes);
  const writeSeconds = (performance.now() - start) / 1000;
  const deadline = performance.now() + 30_000;
  while (visibleAt.size < total - failures && performance.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  const latencies = latenciesOf();
  const measured = latencies
    .filter((l) => l.at - start >= WARMUP_SECONDS * 1000)
    .map((l) => l.ms)
    .sort((a, b) => a - b);
  const f = (ms: number) => `${ms.toFixed(1)} ms`;
  console.log(
    `legacy commit -> new-service read model visible, ${RATE} tx/s for ${SECONDS} s (+${WARMUP_SECONDS} s warm-up), durable Postgres, embedded-kafka, 3 partitions`,
  );
  console.log(
    `  transactions ${total - failures} committed (${failures} failed), ${latencies.length} seen in the new service, achieved ${(total / writeSeconds).toFixed(0)} tx/s`,
  );
  console.log(
    `  p50 ${f(percentile(measured, 50))}   p90 ${f(percentile(measured, 90))}   p99 ${f(percentile(measured, 99))}   max ${f(measured.at(-1) ?? NaN)}   (budget p99 <= 100 ms)`,
  );
  if (process.env.TIMELINE) {
    inKafka.sort((a, b) => a - b);
    console.log(
      `  commit -> in Kafka: p50 ${percentile(inKafka, 50).toFixed(1)} p99 ${percentile(inKafka, 99).toFixed(1)} max ${inKafka.at(-1)?.toFixed(1)} (n=${inKafka.length})`,
    );
    const bySecond = new Map<number, number[]>();
    for (const l of latencies) {
      const sec = Math.floor((l.at - start) / 1000);
      bySecond.set(sec, [...(bySecond.get(sec) ?? []), l.ms]);
    }
    for (const [sec, list] of [...bySecond].sort((a, b) => a[0] - b[0])) {
      list.sort((a, b) => a - b);
      console.log(
        `  t=${sec}s n=${list.length} p50=${percentile(list, 50).toFixed(0)} max=${list.at(-1)!.toFixed(0)}`,
      );
    }
  }
  const legacyRows = (await legacy.query<{ n: string }>('SELECT count(*) AS n FROM batches'))
    .rows[0]!.n;
  const newRows = (await listener.query<{ n: string }>('SELECT count(*) AS n FROM batch')).rows[0]!
    .n;
  if (legacyRows !== newRows)
    console.log(`  MISMATCH: legacy has ${legacyRows} batches, the new service ${newRows}`);
  await listener.end();
} finally {
  for (const c of children) c.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 1000));
  await legacy.end();
  kafka.stop();
  await postgres.stop();
}
