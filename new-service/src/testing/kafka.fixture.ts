// Spec support (excluded from the build): a real Kafka (embedded-kafka or KAFKA_BROKERS, through
// the harness), loyalty events encoded as a producer would, Postgres through the harness.
import { randomUUID } from 'node:crypto';
import type { KafkaOutgoingMessage } from '@strangler/event-schemas';
import { kafkaBrokers, onCleanup, uniqueName } from '@strangler/tests/harness';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { pino } from 'pino';
import { startService } from '../service.js';
import type { RunningService, ServiceStatus, StartServiceOptions } from '../types.js';
import { loyaltyCatalog, memberJoinedV1, types } from './loyalty.fixture.js';

export const SOURCE = '/test/loyalty';

/** Options that keep group joins and restarts quick in tests. */
export const FAST = {
  sessionTimeoutMs: 6000,
  heartbeatIntervalMs: 500,
  maxWaitTimeMs: 100,
  retryInitialMs: 100,
  retryMaxMs: 1000,
};

export const quietLogger = () => pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** A topic of its own with `partitions` partitions, and a producer closed after the file. */
export async function kafkaTopic(partitions = 1): Promise<{ topic: string; producer: Producer }> {
  const kafka = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
  const topic = uniqueName('loyalty');
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

type Message = {
  key?: string | Buffer | null;
  value: string | Buffer | null;
  headers?: Record<string, string | Buffer>;
};

export async function publish(producer: Producer, topic: string, messages: Message[]) {
  await producer.send({ topic, messages, acks: -1 });
}

function encode(type: string, data: unknown, id: string = randomUUID()): KafkaOutgoingMessage {
  const create = loyaltyCatalog.createEvent as (t: string, d: unknown, a: object) => never;
  const time = new Date().toISOString();
  return loyaltyCatalog.toKafkaMessage(create(type, data, { id, source: SOURCE, time }));
}

/** Loyalty events as a producer publishes them; `id` defaults to a fresh one. */
export const events = {
  joined: (memberId: string, tier: 'basic' | 'gold' = 'gold', id?: string) =>
    encode(types.MemberJoined, { memberId, name: `Name of ${memberId}`, tier }, id),
  earned: (memberId: string, points: number, seq: number, id?: string) =>
    encode(types.PointsEarned, { memberId, points, seq }, id),
  spent: (memberId: string, points: number, seq: number, id?: string) =>
    encode(types.PointsSpent, { memberId, points, seq }, id),
  /** A MemberJoined of version 1, as an older producer still publishes it. */
  joinedV1: (memberId: string, id: string = randomUUID()): KafkaOutgoingMessage => {
    const current = events.joined(memberId, 'gold', id);
    return {
      key: current.key,
      value: JSON.stringify({ memberId, name: `Name of ${memberId}` }),
      headers: { ...current.headers, ce_type: memberJoinedV1.type },
    };
  },
};

/** Starts a service on a free port, closed after the file. */
export async function startTestService(
  options: Omit<StartServiceOptions, 'kafkaBrokers'> & { kafkaBrokers?: string[] },
): Promise<RunningService> {
  const service = await startService({
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

/** Waits until every consumer of the service applied everything written to its topic so far. */
export async function caughtUp(
  service: RunningService,
  timeoutMs = 20_000,
): Promise<ServiceStatus> {
  let last: ServiceStatus | undefined;
  await waitFor(async () => {
    last = await service.status();
    return last.caughtUp;
  }, timeoutMs).catch(() => {
    throw new Error(`not caught up after ${timeoutMs} ms: ${JSON.stringify(last)}`);
  });
  return last!;
}

export async function waitFor(condition: () => Promise<boolean> | boolean, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
