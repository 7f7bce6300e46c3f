/**
 * New-service availability read latency at ~2,000 req/s (wrk, 100 connections with exponential
 * think time, as bench/proxy measures), on a model built from events through Kafka.
 *
 *   npm run bench:new-service --workspace bench     [SECONDS=15]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { deterministicEventId } from '@strangler/event-schemas';
import { allocationCatalog, type AllocationDraft } from '@strangler/example-allocation/catalog';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import pg from 'pg';
import { freePort } from '@strangler/demo';
import { benchKafka, benchPostgres, ROOT } from '../lib-stack.js';
import { fixedRate } from '../proxy/lib/wrk.js';

const SECONDS = Number(process.env.SECONDS ?? 15);
const SKUS = 100;
const source = '/bench/new-service';

const postgres = await benchPostgres();
const kafka = await benchKafka(3);
let service: ChildProcess | undefined;
try {
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  await admin.query('CREATE DATABASE newsvc');
  await admin.end();
  const url = Object.assign(new URL(postgres.url), { pathname: '/newsvc' }).toString();

  // The model: 100 products, each with a warehouse batch, four shipments and ten allocations.
  const producer = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).producer({
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  let n = 0;
  const event = (type: AllocationDraft['type'], data: object) =>
    allocationCatalog.toKafkaMessage(
      allocationCatalog.createEvent(type, data as never, {
        id: deterministicEventId(source, 'seed', n++),
        source,
        time: new Date(),
      }),
    );
  for (let s = 1; s <= SKUS; s++) {
    const sku = `SKU-${s}`;
    const messages = [event('io.strangler.allocation.product_created.v1', { sku })];
    messages.push(
      event('io.strangler.allocation.batch_created.v1', {
        sku,
        ref: `${sku}-wh`,
        qty: 100,
        eta: null,
      }),
    );
    for (let b = 1; b <= 4; b++)
      messages.push(
        event('io.strangler.allocation.batch_created.v1', {
          sku,
          ref: `${sku}-s${b}`,
          qty: 50,
          eta: `2031-0${b}-01`,
        }),
      );
    for (let o = 1; o <= 10; o++)
      messages.push(
        event('io.strangler.allocation.allocated.v1', {
          sku,
          orderid: `o-${o}`,
          qty: 2,
          batchref: o % 2 ? `${sku}-wh` : `${sku}-s1`,
        }),
      );
    await producer.send({ topic: 'bench.events', acks: -1, messages });
  }
  await producer.disconnect();

  const port = await freePort();
  service = spawn(process.execPath, [join(ROOT, 'examples/allocation/bin/allocation-service.js')], {
    env: {
      ...process.env,
      DATABASE_URL: url,
      KAFKA_BROKERS: kafka.brokers.join(','),
      STRANGLER_EVENTS_TOPIC: 'bench.events',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const status = await fetch(`${base}/status`).then(
      (r) => r.json() as Promise<{ caughtUp?: boolean; lag?: number }>,
      () => ({}) as { caughtUp?: boolean },
    );
    if (status.caughtUp) break;
    if (i > 600) throw new Error('the new service did not catch up');
    await new Promise((r) => setTimeout(r, 100));
  }
  const target = `${base}/products/SKU-42/availability?qty=30`;
  const check = await fetch(target);
  if (check.status !== 200)
    throw new Error(`GET ${target} answered ${check.status}: ${await check.text()}`);
  await fixedRate(target, 3); // warm-up
  const r = await fixedRate(target, SECONDS);
  const ms = (us: number) => `${(us / 1000).toFixed(2)} ms`;
  console.log(
    `new-service availability read, ${SKUS} products x 5 batches x 10 allocations, ~2,000 req/s for ${SECONDS} s`,
  );
  console.log(`  ${Math.round(r.rps)} req/s, errors ${r.errors}, non-2xx ${r.non2xx}`);
  console.log(
    `  p50 ${ms(r.p50)}   p90 ${ms(r.p90)}   p99 ${ms(r.p99)}   p99.9 ${ms(r.p999)}   (budget p99 <= 2 ms)`,
  );
} finally {
  service?.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  kafka.stop();
  await postgres.stop();
}
