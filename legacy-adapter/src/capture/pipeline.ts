import type { Lsn } from '../pg/lsn.js';
import type { OutgoingMessage } from '../publish/kafka-publisher.js';
import type { Logger } from '../types.js';

export interface PipelineItem {
  messages: OutgoingMessage[];
  /** End LSN of the source transaction, confirmed once its messages are published; null for snapshot rows. */
  endLsn: Lsn | null;
}

export interface PipelineOptions {
  publish(messages: OutgoingMessage[]): Promise<void>;
  /** Called with the end LSN of the last transaction whose messages (and all before) are published. */
  confirm(lsn: Lsn): void;
  maxBatchMessages: number;
  logger: Logger;
}

/**
 * Publishes transactions in commit order, as few Kafka requests as possible: consecutive
 * transactions are grouped into one request (small legacy transactions would otherwise be bound
 * by round trips), one request in flight. A failed request is retried as it was, with backoff;
 * nothing after it is published or confirmed until it succeeds.
 */
export class PublishPipeline {
  private readonly queue: PipelineItem[] = [];
  private queued = 0;
  private running: Promise<void> | null = null;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly o: PipelineOptions) {}

  /** Messages waiting to be published or being published. */
  get queuedMessages(): number {
    return this.queued;
  }

  /** Nothing queued and nothing being published. */
  get idle(): boolean {
    return this.queue.length === 0 && this.running === null;
  }

  enqueue(item: PipelineItem): void {
    this.queue.push(item);
    this.queued += item.messages.length;
    this.running ??= this.run();
  }

  /** Resolves once everything enqueued so far is published and confirmed. */
  whenIdle(): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
  }

  private async run(): Promise<void> {
    let backoff = 100;
    while (this.queue.length > 0 && !this.stopped) {
      const take: PipelineItem[] = [];
      let count = 0;
      for (const item of this.queue) {
        if (take.length > 0 && count + item.messages.length > this.o.maxBatchMessages) break;
        take.push(item);
        count += item.messages.length;
      }
      try {
        await this.o.publish(take.flatMap((i) => i.messages));
        backoff = 100;
      } catch (e) {
        this.o.logger.error(
          { err: e, messages: count, retryInMs: backoff },
          'publishing to Kafka failed; retrying the same batch',
        );
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 10_000);
        continue;
      }
      this.queue.splice(0, take.length);
      this.queued -= count;
      let last: Lsn | null = null;
      for (const item of take) if (item.endLsn !== null) last = item.endLsn;
      if (last !== null) this.o.confirm(last);
    }
    this.running = null;
    if (this.idle) for (const w of this.idleWaiters.splice(0)) w();
  }
}
