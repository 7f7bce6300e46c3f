// Test support (excluded from the build): a real Kafka (embedded-kafka or KAFKA_BROKERS, through
// the harness), allocation events built with the catalog exactly as the legacy adapter builds them.
import { randomUUID } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import type { KafkaOutgoingMessage } from '@strangler/event-schemas';
import type { RunningService, ServiceStatus } from '@strangler/new-service';
import { kafkaBrokers, onCleanup, uniqueName } from '@strangler/tests/harness';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { pino } from 'pino';
import { allocationCatalog, type AllocationEvent } from '../../catalog/index.js';
import { startAllocationService, type AllocationServiceOptions } from '../index.js';

export const SOURCE = '/legacy/postgres/shop';

/** Options that keep group joins and restarts quick in tests. */
export const FAST = {
  sessionTimeoutMs: 6000,
  heartbeatIntervalMs: 500,
  maxWaitTimeMs: 100,
  retryInitialMs: 100,
  retryMaxMs: 1000,
};

export const quietLogger = () => pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** A topic of its own with `partitions` partitions, and a producer that is closed after the file. */
export async function kafkaTopic(partitions = 1): Promise<{ topic: string; producer: Producer }> {
  const kafka = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
  const topic = uniqueName('events');
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic, numPartitions: partitions }],
    waitForLeaders: true,
  });
  await admin.disconnect();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  onCleanup(() => producer.disconnect());
  return { topic, producer };
}

type Data<T extends AllocationEvent['type']> = Extract<AllocationEvent, { type: T }>['data'];
const eventTypes = allocationCatalog.types;

/** One event as the adapter would publish it; `id` defaults to a fresh one. */
export function event<T extends AllocationEvent['type']>(
  type: T,
  data: Data<T>,
  id: string = randomUUID(),
): KafkaOutgoingMessage {
  const time = new Date().toISOString();
  return allocationCatalog.toKafkaMessage(
    allocationCatalog.createEvent(type, data as never, { id, source: SOURCE, time }),
  );
}

/** Shorthands for the six event types. */
export const events = {
  product: (sku: string, version?: number) =>
    event(eventTypes.ProductCreated, { sku, ...(version === undefined ? {} : { version }) }),
  batch: (ref: string, sku: string, qty: number, eta: string | null = null) =>
    event(eventTypes.BatchCreated, { ref, sku, qty, eta }),
  quantity: (ref: string, sku: string, qty: number) =>
    event(eventTypes.BatchQuantityChanged, { ref, sku, qty }),
  eta: (ref: string, sku: string, eta: string | null) =>
    event(eventTypes.BatchEtaChanged, { ref, sku, eta }),
  allocated: (orderid: string, sku: string, qty: number, batchref: string) =>
    event(eventTypes.Allocated, { orderid, sku, qty, batchref }),
  deallocated: (orderid: string, sku: string, qty: number, batchref: string) =>
    event(eventTypes.Deallocated, { orderid, sku, qty, batchref }),
};

/** Sends messages in order (one partition per key, so per sku order is kept). */
export async function publish(
  producer: Producer,
  topic: string,
  messages: {
    key?: string | Buffer | null;
    value: string | Buffer | null;
    headers?: Record<string, string | Buffer>;
  }[],
): Promise<void> {
  await producer.send({ topic, messages, acks: -1 });
}

/** Starts the allocation service on a free port for one test file; closed after the file. */
export async function startService(
  options: Omit<AllocationServiceOptions, 'kafkaBrokers'> & { kafkaBrokers?: string[] },
): Promise<RunningService> {
  const service = await startAllocationService({
    kafkaBrokers: kafkaBrokers(),
    port: 0,
    host: '127.0.0.1',
    logger: quietLogger(),
    consumer: FAST,
    ...options,
  });
  onCleanup(() => service.close());
  return service;
}

/** Waits until the service has applied everything written to its topic so far. */
export async function caughtUp(
  service: RunningService,
  timeoutMs = 20_000,
): Promise<ServiceStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: ServiceStatus | undefined;
  while (Date.now() < deadline) {
    last = await service.status();
    if (last.caughtUp) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`not caught up after ${timeoutMs} ms: ${JSON.stringify(last)}`);
}

/** GET the availability of `sku`; the body parsed. */
export async function availability(
  service: RunningService,
  sku: string,
  query = '',
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(
    `${service.url}/products/${encodeURIComponent(sku)}/availability${query}`,
  );
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown>,
    headers: res.headers,
  };
}

/** Today's date in UTC, as the legacy monolith dates warehouse stock. */
export const todayUtc = () => new Date().toISOString().slice(0, 10);

/**
 * A TCP relay in front of Postgres that a test can cut (every connection dropped, new ones
 * refused) and restore: the database "goes down" without stopping the shared server.
 */
export async function cuttableDatabase(databaseUrl: string) {
  const target = new URL(databaseUrl);
  const sockets = new Set<Socket>();
  let down = false;
  const server = createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = connect(Number(target.port), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as AddressInfo).port);
  onCleanup(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return {
    url: url.toString(),
    cut() {
      down = true;
      for (const s of sockets) s.destroy();
    },
    restore() {
      down = false;
    },
  };
}
