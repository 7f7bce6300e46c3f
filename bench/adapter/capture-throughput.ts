/**
 * Legacy adapter capture throughput: row changes captured, mapped and published to Kafka with
 * acks=all per second, against a backlog in the slot, next to our pgoutput decoder alone reading
 * the same backlog from a second slot (no mapping, no Kafka) in the same run.
 *
 *   npm run bench:adapter --workspace bench      [ROWS=200000 ROWS_PER_TX=100]
 */
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import pino from 'pino';
import { allocationCatalog } from '@strangler/example-allocation/catalog';
import allocationMapper from '@strangler/example-allocation/mapper';
import { startAdapter } from '@strangler/legacy-adapter';
import { benchKafka, benchPostgres, LEGACY_SCHEMA } from '../lib-stack.js';
import { rawDecode } from './raw-decode.js';

const ROWS = Number(process.env.ROWS ?? 200_000);
const ROWS_PER_TX = Number(process.env.ROWS_PER_TX ?? 100);
const SCHEMA = LEGACY_SCHEMA;

const postgres = await benchPostgres();
const kafka = await benchKafka(3);
const url = new URL(postgres.url);
url.pathname = '/bench';
const admin = new pg.Client({ connectionString: postgres.url });
await admin.connect();
await admin.query('CREATE DATABASE bench');
await admin.end();
const db = new pg.Pool({ connectionString: url.toString(), max: 4 });
await db.query(SCHEMA);
await db.query(`INSERT INTO products (sku) SELECT 'SKU-' || i FROM generate_series(1, 100) i`);
const logger = pino({ level: 'warn' });

try {
  // First start: creates slot, publication and the (empty but for products) snapshot; then stop so
  // the backlog builds up in the slot.
  const options = {
    databaseUrl: url.toString(),
    kafkaBrokers: kafka.brokers,
    topic: 'bench.events',
    catalog: allocationCatalog,
    mapper: allocationMapper,
    alterReplicaIdentity: true,
    logger,
  };
  const first = await startAdapter(options);
  await first.close();
  await db.query("SELECT pg_create_logical_replication_slot('raw_baseline', 'pgoutput')");

  const t0 = performance.now();
  for (let done = 0; done < ROWS; done += ROWS_PER_TX) {
    await db.query(
      `INSERT INTO batches (reference, sku, purchased_quantity) SELECT 'b-' || i, 'SKU-' || (i % 100 + 1), 10 FROM generate_series($1::int, $2::int) i`,
      [done, done + ROWS_PER_TX - 1],
    );
  }
  const writeMs = performance.now() - t0;

  const raw = await rawDecode(url.toString(), 'raw_baseline', 'strangler_adapter', ROWS);

  // Counted on the broker (the topic's end offsets), not by the adapter's own `events` figure,
  // which includes events still queued for sending: only acknowledged writes count.
  const admin = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const onKafka = async () =>
    (await admin.fetchTopicOffsets(options.topic)).reduce((n, p) => n + Number(p.high), 0);
  const before = await onKafka();
  const adapter = await startAdapter(options);
  const t1 = performance.now();
  while ((await onKafka()) - before < ROWS) await new Promise((r) => setTimeout(r, 20));
  const captureMs = performance.now() - t1;
  await adapter.close();
  await admin.disconnect();

  const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);
  const fmt = (n: number) => n.toLocaleString('en-US');
  console.log(
    `legacy-adapter capture: ${fmt(ROWS)} inserted rows in ${fmt(ROWS / ROWS_PER_TX)} transactions (backlog written in ${(writeMs / 1000).toFixed(1)} s)`,
  );
  console.log(
    `  adapter (decode + map + publish, acks=all)  ${fmt(rate(ROWS, captureMs)).padStart(9)} rows/s  (budget >= 20,000)`,
  );
  console.log(
    `  pgoutput decode only, same backlog          ${fmt(rate(ROWS, raw.ms)).padStart(9)} rows/s`,
  );
  console.log(`  adapter / decode-only                        ${(raw.ms / captureMs).toFixed(2)}`);
} finally {
  await db.end();
  kafka.stop();
  await postgres.stop();
}
