import { Worker } from 'node:worker_threads';
import type { Logger } from '../types.js';

export interface OutgoingMessage {
  topic: string;
  key: string;
  value: string | Buffer;
  headers: Record<string, string>;
}

export interface PublisherOptions {
  brokers: string[];
  clientId: string;
  /** Topics created when missing (events, dead letters); messages name their own topic. */
  topics: string[];
  /** Longest wait for one request's answer before the producer thread is replaced. */
  timeoutMs: number;
  logger: Logger;
}

type Reply =
  | { id: number; ok: true; result?: { created: string[] } }
  | { id: number; ok: false; error: { name: string; message: string } };
type LogEntry = {
  kind: 'log';
  entry: { namespace?: string; message?: string } & Record<string, unknown>;
};
type Waiter = { resolve: (r: Reply) => void; reject: (e: Error) => void };

// One file for src/ and dist/: both sit two levels below the package root.
const WORKER = new URL('../../worker/kafka-producer.mjs', import.meta.url);

/**
 * Publishes with acks=all from an idempotent producer, one request in flight: the adapter confirms
 * a transaction to Postgres only after this resolves, so what resolves is on every replica. The
 * producer (kafkajs) runs in a worker thread, so encoding one batch overlaps decoding the next.
 *
 * A request that gets no answer within `timeoutMs` fails, and the thread is replaced by a new one
 * (a new producer id): a client that never settles a send after a broker crash would otherwise
 * stop capture without a word. The caller retries; the events keep their ids.
 */
export class KafkaPublisher {
  private nextId = 0;
  private readonly pending = new Map<number, Waiter>();
  private worker!: Worker;
  private exited: Error | null = null;
  private closed = false;
  /** Threads replaced after a request got no answer. */
  restarts = 0;

  private constructor(private readonly o: PublisherOptions) {
    this.spawn();
  }

  static async connect(o: PublisherOptions): Promise<KafkaPublisher> {
    const publisher = new KafkaPublisher(o);
    try {
      const reply = await publisher.call({ kind: 'connect' });
      for (const topic of reply.result?.created ?? []) o.logger.info({ topic }, 'created topic');
    } catch (e) {
      await publisher.worker.terminate();
      throw e;
    }
    return publisher;
  }

  async publish(messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.call({ kind: 'publish', messages });
  }

  /** The next offset of each partition of `topic` (its end), e.g. `{ "0": "42" }`. */
  async endOffsets(topic: string): Promise<Record<string, string>> {
    const reply = await this.call({ kind: 'offsets', topic });
    return reply.result as unknown as Record<string, string>;
  }

  async close(): Promise<void> {
    this.closed = true;
    // The producer's disconnect gets the same deadline; the thread ends either way.
    if (!this.exited) await this.call({ kind: 'close' }).catch(() => {});
    await this.worker.terminate();
  }

  private spawn(): void {
    const { brokers, clientId, topics, logger } = this.o;
    const worker = new Worker(WORKER, { workerData: { brokers, clientId, topics } });
    this.worker = worker;
    this.exited = null;
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
      if (worker !== this.worker) return;
      this.exited = e;
      this.rejectAll(e);
    };
    worker.on('error', (e) => fail(e));
    worker.on('exit', (code) => fail(new Error(`the Kafka producer thread exited (code ${code})`)));
  }

  private rejectAll(e: Error): void {
    for (const w of this.pending.values()) w.reject(e);
    this.pending.clear();
  }

  /**
   * Ends the thread that stopped answering and starts another in its place; its producer connects
   * with the next request, under the same deadline.
   */
  private replace(): void {
    const old = this.worker;
    this.restarts++;
    this.spawn();
    void old.terminate().catch(() => {});
  }

  private call(msg: {
    kind: 'connect' | 'publish' | 'close' | 'offsets';
    messages?: OutgoingMessage[];
    topic?: string;
  }): Promise<Reply & { ok: true }> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this.pending.delete(id)) return;
        const seconds = this.o.timeoutMs / 1000;
        if (!this.closed) {
          this.o.logger.warn(
            { timeoutMs: this.o.timeoutMs, restarts: this.restarts + 1 },
            `Kafka gave no answer to a ${msg.kind} request in ${seconds} s: starting a new producer`,
          );
          this.replace();
        }
        reject(new Error(`no answer from Kafka to a ${msg.kind} request in ${seconds} s`));
      }, this.o.timeoutMs);
      this.pending.set(id, {
        resolve: (reply) => {
          clearTimeout(timer);
          if (reply.ok) resolve(reply);
          else reject(Object.assign(new Error(reply.error.message), { name: reply.error.name }));
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.worker.postMessage({ id, ...msg });
    });
  }
}
