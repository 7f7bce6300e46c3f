import { Worker } from 'node:worker_threads';
import type { Logger } from '../types.js';

export interface OutgoingMessage {
  topic: string;
  key: string;
  value: string | Buffer;
  headers: Record<string, string>;
}

type Reply =
  | { id: number; ok: true; result?: { created: string[] } }
  | { id: number; ok: false; error: { name: string; message: string } };
type LogEntry = {
  kind: 'log';
  entry: { namespace?: string; message?: string } & Record<string, unknown>;
};

// One file for src/ and dist/: both sit two levels below the package root.
const WORKER = new URL('../../worker/kafka-producer.mjs', import.meta.url);

/**
 * Publishes with acks=all from an idempotent producer, one request in flight: the adapter confirms
 * a transaction to Postgres only after this resolves, so what resolves is on every replica. The
 * producer (kafkajs) runs in a worker thread, so encoding one batch overlaps decoding the next.
 */
export class KafkaPublisher {
  private nextId = 0;
  private readonly pending = new Map<
    number,
    { resolve: (r: Reply) => void; reject: (e: Error) => void }
  >();
  private exited: Error | null = null;

  private constructor(
    private readonly worker: Worker,
    private readonly logger: Logger,
  ) {
    worker.on('message', (msg: Reply | LogEntry) => {
      if ('kind' in msg) {
        logger.warn(
          { kafkajs: msg.entry.namespace, ...msg.entry },
          String(msg.entry.message ?? 'kafkajs'),
        );
        return;
      }
      const waiter = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      waiter?.resolve(msg);
    });
    const fail = (e: Error) => {
      this.exited = e;
      for (const w of this.pending.values()) w.reject(e);
      this.pending.clear();
    };
    worker.on('error', (e) => fail(e));
    worker.on('exit', (code) => fail(new Error(`the Kafka producer thread exited (code ${code})`)));
  }

  /**
   * Connects, and creates the `topics` (events, dead letters) that do not exist yet, with the
   * broker's default partitions. Messages name their own topic.
   */
  static async connect(
    brokers: string[],
    clientId: string,
    topics: string[],
    logger: Logger,
  ): Promise<KafkaPublisher> {
    const worker = new Worker(WORKER, { workerData: { brokers, clientId, topics } });
    const publisher = new KafkaPublisher(worker, logger);
    try {
      const reply = await publisher.call({ kind: 'connect' });
      for (const topic of reply.result?.created ?? []) logger.info({ topic }, 'created topic');
    } catch (e) {
      await worker.terminate();
      throw e;
    }
    return publisher;
  }

  async publish(messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.call({ kind: 'publish', messages });
  }

  async close(): Promise<void> {
    if (!this.exited) await this.call({ kind: 'close' }).catch(() => {});
    await this.worker.terminate();
  }

  private call(msg: { kind: string; messages?: OutgoingMessage[] }): Promise<Reply & { ok: true }> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, {
        resolve: (reply) =>
          reply.ok
            ? resolve(reply)
            : reject(Object.assign(new Error(reply.error.message), { name: reply.error.name })),
        reject,
      });
      this.worker.postMessage({ id, ...msg });
    });
  }
}
