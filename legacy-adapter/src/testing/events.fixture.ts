import { parseKafkaMessage, type DomainEvent } from '@strangler/event-schemas';
import { Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';

export interface ReceivedEvent {
  key: string;
  partition: number;
  offset: string;
  event: DomainEvent;
}

/** Reads a topic from the beginning until `count` events arrived (or fails after `timeoutMs`). */
export async function readEvents(
  brokers: string[],
  topic: string,
  count: number,
  timeoutMs = 20_000,
): Promise<ReceivedEvent[]> {
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({
    groupId: `reader-${randomUUID()}`,
    maxWaitTimeInMs: 100,
    heartbeatInterval: 500,
  });
  const seen: ReceivedEvent[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `only ${seen.length} of ${count} events on ${topic} after ${timeoutMs} ms: ${JSON.stringify(seen.map((e) => e.event.type))}`,
            ),
          ),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          const parsed = parseKafkaMessage(message);
          if (!parsed.ok) throw parsed.error;
          seen.push({
            key: message.key!.toString(),
            partition,
            offset: message.offset,
            event: parsed.event,
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

/** Short names of the events' types and their data, for readable assertions. */
export const summary = (events: ReceivedEvent[]) =>
  events.map(({ event }) => [event.type.split('.')[3], event.data] as const);
