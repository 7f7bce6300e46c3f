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
  /** Estimated bytes of one Kafka request, under the broker's `message.max.bytes`. */
  maxBatchBytes: number;
  /**
   * How long the first queued transaction may wait for others to share its request (Kafka's
   * `linger.ms`); a full request goes at once. 0 sends at once.
   */
  lingerMs: number;
  logger: Logger;
}

/** Bytes a message takes in a record batch: its data plus varint and header overheads. */
function sizeOf(m: OutgoingMessage): number {
  let bytes = 24 + Buffer.byteLength(m.key) + Buffer.byteLength(m.value);
  for (const name in m.headers) {
    // Absent optional attributes are left undefined; kafkajs skips them.
    const value = m.headers[name] as string | Buffer | undefined;
    if (value !== undefined) bytes += 6 + name.length + Buffer.byteLength(value);
  }
  return bytes;
}

/**
 * Cuts messages into requests of at most `maxMessages` and `maxBytes` (a single larger message
 * still goes alone, and Kafka judges it).
 */
export function slices(
  messages: OutgoingMessage[],
  maxMessages: number,
  maxBytes: number,
): OutgoingMessage[][] {
  const out: OutgoingMessage[][] = [];
  let current: OutgoingMessage[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = sizeOf(m);
    if (current.length > 0 && (current.length >= maxMessages || bytes + size > maxBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * Publishes transactions in commit order, as few Kafka requests as possible: consecutive
 * transactions are grouped into one request (small legacy transactions would otherwise be bound
 * by round trips), one request in flight. A failed request is retried as it was, with backoff;
 * nothing after it is published or confirmed until it succeeds.
 */
export class PublishPipeline {
  private readonly queue: Array<PipelineItem & { bytes: number; at: number }> = [];
  private queued = 0;
  private queuedBytes = 0;
  private running: Promise<void> | null = null;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];
  /** Ends the current linger early: the queue filled a request. */
  private lingering: (() => void) | null = null;
  /** Failed attempts of the request being sent now, and the last one's message. */
  private failures = { attempts: 0, lastError: null as string | null };

  constructor(private readonly o: PipelineOptions) {}

  /** Requests published (acknowledged). */
  requests = 0;

  /** Messages waiting to be published or being published. */
  get queuedMessages(): number {
    return this.queued;
  }

  /** Failed attempts of the current request (0 after a success) and the last error's message. */
  get failing(): { attempts: number; lastError: string | null } {
    return { ...this.failures };
  }

  /** Nothing queued and nothing being published. */
  get idle(): boolean {
    return this.queue.length === 0 && this.running === null;
  }

  enqueue(item: PipelineItem): void {
    let bytes = 0;
    for (const m of item.messages) bytes += sizeOf(m);
    this.queue.push({ ...item, bytes, at: performance.now() });
    this.queued += item.messages.length;
    this.queuedBytes += bytes;
    if (this.lingering && this.full()) this.lingering();
    this.running ??= this.run();
  }

  private full(): boolean {
    return this.queued >= this.o.maxBatchMessages || this.queuedBytes >= this.o.maxBatchBytes;
  }

  /**
   * Waits until the oldest queued transaction is `lingerMs` old, unless a request is full. Each request
   * costs a round trip through the producer thread and the broker whatever its size, so at a few
   * hundred transactions a second one-transaction requests cost more CPU than the transactions.
   */
  private linger(): Promise<void> {
    const oldest = this.queue[0];
    const wait = oldest ? oldest.at + this.o.lingerMs - performance.now() : 0;
    if (wait < 1 || this.full()) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.lingering = null;
        resolve();
      };
      const timer = setTimeout(done, wait);
      this.lingering = done;
    });
  }

  /** Resolves once everything enqueued so far is published and confirmed. */
  whenIdle(): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    this.lingering?.();
  }

  private async run(): Promise<void> {
    // Yield first: `enqueue` stores this promise in `running`, and a pass with nothing to send
    // would otherwise finish (and clear `running`) before it is stored.
    await Promise.resolve();
    let backoff = 100;
    while (this.queue.length > 0 && !this.stopped) {
      await this.linger();
      if (this.stopped) break;
      const take: PipelineItem[] = [];
      let count = 0;
      let bytes = 0;
      for (const item of this.queue) {
        if (
          take.length > 0 &&
          (count + item.messages.length > this.o.maxBatchMessages ||
            bytes + item.bytes > this.o.maxBatchBytes)
        ) {
          break;
        }
        take.push(item);
        count += item.messages.length;
        bytes += item.bytes;
      }
      // Only a transaction larger than one request (a bulk update) is cut: it goes out in order;
      // the broker would refuse it whole (MESSAGE_TOO_LARGE). Its end LSN is confirmed after the
      // last. Everything else was grouped within the limits above and goes as one request.
      const oversized = count > this.o.maxBatchMessages || bytes > this.o.maxBatchBytes;
      const messages = take.flatMap((i) => i.messages);
      const requests = oversized
        ? slices(messages, this.o.maxBatchMessages, this.o.maxBatchBytes)
        : [messages];
      let sent = 0;
      while (sent < requests.length && !this.stopped) {
        const request = requests[sent]!;
        try {
          await this.o.publish(request);
          sent++;
          this.requests++;
          backoff = 100;
          this.failures = { attempts: 0, lastError: null };
        } catch (e) {
          this.failures = {
            attempts: this.failures.attempts + 1,
            lastError: e instanceof Error ? e.message : String(e),
          };
          this.o.logger.error(
            { err: e, messages: request.length, retryInMs: backoff },
            'publishing to Kafka failed; retrying the same request',
          );
          await new Promise((r) => setTimeout(r, backoff));
          backoff = Math.min(backoff * 2, 10_000);
        }
      }
      if (sent < requests.length) break;
      this.queue.splice(0, take.length);
      this.queued -= count;
      this.queuedBytes -= bytes;
      let last: Lsn | null = null;
      for (const item of take) if (item.endLsn !== null) last = item.endLsn;
      if (last !== null) this.o.confirm(last);
    }
    this.running = null;
    if (this.idle) for (const w of this.idleWaiters.splice(0)) w();
  }
}
