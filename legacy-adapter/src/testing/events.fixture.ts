import { Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { shopCatalog } from './shop-catalog.fixture.js';

export interface ReceivedMessage {
  key: string;
  partition: number;
  offset: string;
  value: string;
  headers: Record<string, string>;
}

/** Reads a topic from the beginning until `count` messages arrived (or fails after `timeoutMs`). */
export async function readMessages(
  brokers: string[],
  topic: string,
  count: number,
  timeoutMs = 20_000,
): Promise<ReceivedMessage[]> {
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({
    groupId: `reader-${randomUUID()}`,
    maxWaitTimeInMs: 100,
    heartbeatInterval: 500,
  });
  const seen: ReceivedMessage[] = [];
  await waitForTopic(kafka, topic, timeoutMs);
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`only ${seen.length} of ${count} messages on ${topic} after ${timeoutMs} ms`),
          ),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
          seen.push({
            key: message.key!.toString(),
            partition,
            offset: message.offset,
            value: message.value!.toString(),
            headers,
          });
          if (seen.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

/** Reads `count` events of the shop catalog from a topic, parsed and validated by the catalog. */
export async function readEvents(
  brokers: string[],
  topic: string,
  count: number,
  timeoutMs?: number,
) {
  const messages = await readMessages(brokers, topic, count, timeoutMs);
  return messages.map((m) => {
    const parsed = shopCatalog.parseKafkaMessage(m);
    if (!parsed.ok) throw parsed.error;
    return { key: m.key, partition: m.partition, offset: m.offset, event: parsed.event };
  });
}

export type ReceivedEvent = Awaited<ReturnType<typeof readEvents>>[number];

/** Short names of the events' types and their data, for readable assertions. */
export const summary = (events: ReceivedEvent[]) =>
  events.map(({ event }) => [event.type.split('.')[3], event.data] as const);

/**
 * Waits until the adapter's first send made the topic. A reader subscribing earlier would make it
 * itself on Apache Kafka (consumer metadata auto-creates), racing the producer, and kafkajs's
 * subscribe fails on the half-made topic with "This server does not host this topic-partition".
 */
async function waitForTopic(kafka: Kafka, topic: string, timeoutMs: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    while (!(await admin.listTopics()).includes(topic)) {
      if (Date.now() > deadline)
        throw new Error(`topic ${topic} did not appear within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await admin.disconnect();
  }
}
