import type { Admin, Kafka } from 'kafkajs';

/** Earliest and next-to-be-written offset of a partition (decimal strings). */
export interface Watermarks {
  low: string;
  high: string;
}

/** Reads a topic's watermarks through one lazily connected admin client. */
export class TopicOffsets {
  readonly #admin: Admin;
  readonly #topic: string;
  #connecting: Promise<void> | undefined;

  constructor(kafka: Kafka, topic: string) {
    this.#admin = kafka.admin();
    this.#topic = topic;
  }

  async watermarks(): Promise<Map<number, Watermarks>> {
    this.#connecting ??= this.#admin.connect().catch((err: unknown) => {
      this.#connecting = undefined; // the next call tries again
      throw err;
    });
    await this.#connecting;
    const offsets = await this.#admin.fetchTopicOffsets(this.#topic);
    return new Map(offsets.map((o) => [o.partition, { low: o.low, high: o.high }]));
  }

  async close(): Promise<void> {
    const connecting = this.#connecting;
    this.#connecting = undefined;
    if (connecting) await connecting.then(() => this.#admin.disconnect()).catch(() => {});
  }
}
