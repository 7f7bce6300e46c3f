import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import type { Logger } from '../types.js';

export interface OutgoingMessage {
  topic: string;
  key: string;
  value: string | Buffer;
  headers: Record<string, string>;
}

/**
 * Publishes with acks=all from an idempotent producer, one request in flight: the adapter confirms
 * a transaction to Postgres only after this resolves, so what resolves must be on every replica.
 */
export class KafkaPublisher {
  private constructor(private readonly producer: Producer) {}

  /** Connects, and creates `topic` (broker-default partitions) when it does not exist yet. */
  static async connect(
    brokers: string[],
    clientId: string,
    topic: string,
    logger: Logger,
  ): Promise<KafkaPublisher> {
    const kafka = new Kafka({
      clientId,
      brokers,
      logLevel: logLevel.WARN,
      logCreator: () => (entry) =>
        logger.warn({ kafkajs: entry.namespace, ...entry.log }, entry.log.message),
    });
    // kafkajs 2 changed its default partitioner; name it so keys map to partitions as in Java clients.
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    // Consumers may subscribe before the first event: the topic should exist from the start.
    const admin = kafka.admin();
    await admin.connect();
    try {
      const created = await admin.createTopics({ topics: [{ topic }], waitForLeaders: true });
      if (created) logger.info({ topic }, 'created topic');
    } finally {
      await admin.disconnect();
    }
    return new KafkaPublisher(producer);
  }

  async publish(messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const byTopic = new Map<string, OutgoingMessage[]>();
    for (const m of messages) byTopic.set(m.topic, [...(byTopic.get(m.topic) ?? []), m]);
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, list]) => ({
        topic,
        messages: list.map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
      })),
    });
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
  }
}
