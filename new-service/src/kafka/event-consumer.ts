import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { ConsumerTuning } from '../types.js';
import type { KafkaAdmin } from './admin.js';
import { PartitionPositions, type Position } from './partition-positions.js';

/** What the Kafka side of a consumer is doing. */
export type KafkaConsumerState = 'starting' | 'running' | 'retrying' | 'stopped';

export interface KafkaEventConsumerOptions {
  kafka: Kafka;
  topic: string;
  groupId: string;
  tuning: Required<ConsumerTuning>;
  logger: Logger;
  admin: KafkaAdmin;
  /** The stored offset of the next message to process (the checkpoint), if any. */
  storedOffset(partition: number): Promise<string | undefined>;
  /**
   * Applies messages of one partition, in offset order, exactly once. Throws when they failed and
   * must be retried from the first (never skipped).
   */
  process(partition: number, messages: KafkaMessage[]): Promise<void>;
}

/**
 * kafkajs with the database as the source of truth for offsets: autoCommit is off, and after every
 * (re)assignment each partition is positioned at its stored checkpoint (or the start of the topic)
 * before anything is processed. A transient failure pauses the partition, seeks back to the same
 * message and resumes after a backoff, so nothing is skipped and heartbeats go on. Crashes kafkajs
 * does not restart from are restarted here, with backoff, until `stop()`.
 */
export class KafkaEventConsumer {
  readonly #o: KafkaEventConsumerOptions;
  readonly #log: Logger;
  readonly #positions: PartitionPositions;
  readonly #failures = new Map<number, number>();
  readonly #timers = new Set<NodeJS.Timeout>();
  /** Next offsets applied since the last commit to Kafka (monitoring only). */
  readonly #applied = new Map<number, string>();
  #consumer: Consumer | undefined;
  #state: KafkaConsumerState = 'starting';
  #stopping = false;
  #restartDelay: number;

  constructor(options: KafkaEventConsumerOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'consumer', topic: options.topic });
    this.#restartDelay = options.tuning.retryInitialMs;
    this.#positions = new PartitionPositions(async (partition) => {
      const stored = await options.storedOffset(partition);
      if (stored !== undefined) return BigInt(stored);
      return BigInt((await options.admin.watermarks(options.topic)).get(partition)?.low ?? '0');
    });
  }

  get state(): KafkaConsumerState {
    return this.#state;
  }

  /** Starts in the background: a broker or topic that is not there yet is waited for. */
  start(): void {
    this.#launch();
    const commit = setInterval(
      () => void this.#commitToKafka(),
      this.#o.tuning.kafkaCommitIntervalMs,
    );
    commit.unref();
    this.#timers.add(commit);
  }

  /** Stops fetching, lets the message in flight finish its transaction, leaves the group. */
  async stop(): Promise<void> {
    this.#stopping = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    const consumer = this.#consumer;
    this.#consumer = undefined;
    if (consumer) {
      await this.#commitToKafka(consumer);
      await consumer
        .disconnect()
        .catch((err: unknown) => this.#log.warn({ err }, 'disconnect failed'));
    }
    this.#state = 'stopped';
  }

  #launch(): void {
    this.#run().catch((err: unknown) => this.#restart(err));
  }

  async #run(): Promise<void> {
    const { kafka, topic, groupId, tuning } = this.#o;
    const consumer = kafka.consumer({
      groupId,
      sessionTimeout: tuning.sessionTimeoutMs,
      rebalanceTimeout: Math.max(tuning.sessionTimeoutMs, 10_000),
      heartbeatInterval: tuning.heartbeatIntervalMs,
      maxWaitTimeInMs: tuning.maxWaitTimeMs,
      // Creating the topic is the producer's job (with its partition count), not a reader's.
      allowAutoTopicCreation: false,
    });
    this.#consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      // A new generation: every partition is positioned again from the database, at once, so a
      // partition whose Kafka position is past ours is read again even if nothing new arrives.
      const generation = this.#positions.reset();
      this.#failures.clear();
      this.#state = 'running';
      this.#restartDelay = tuning.retryInitialMs;
      const assigned = payload.memberAssignment[topic] ?? [];
      this.#log.info({ assignment: assigned }, 'joined the group');
      for (const partition of assigned) {
        this.#seekOnAssignment(consumer, partition, generation);
      }
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart) {
        this.#state = 'retrying';
        return; // kafkajs restarts by itself
      }
      if (this.#consumer === consumer) this.#restart(payload.error);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: tuning.partitionsConsumedConcurrently,
      eachBatch: (payload) => this.#eachBatch(consumer, payload),
    });
    this.#log.info({ groupId }, 'consumer started');
  }

  #restart(err: unknown): void {
    if (this.#stopping) return;
    const consumer = this.#consumer;
    this.#consumer = undefined;
    this.#state = 'retrying';
    const delay = this.#restartDelay;
    this.#restartDelay = Math.min(delay * 2, this.#o.tuning.retryMaxMs);
    this.#log.error({ err, retryInMs: delay }, 'consumer stopped; restarting');
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (this.#stopping) return;
      void Promise.resolve(consumer?.disconnect())
        .catch(() => {})
        .then(() => !this.#stopping && this.#launch());
    }, delay);
    this.#timers.add(timer);
  }

  /**
   * A fetched batch of one partition, applied in chunks of at most `maxBatchMessages`, each chunk
   * one transaction: a backlog is worked off in few transactions, while a lone message still goes
   * alone, at once.
   */
  async #eachBatch(consumer: Consumer, payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, pause, isRunning, isStale } = payload;
    const { topic, partition } = batch;
    if (this.#stopping || batch.messages.length === 0) return;
    let position: Position;
    try {
      position = await this.#positions.get(partition);
    } catch (err) {
      this.#backOff(consumer, topic, partition, BigInt(batch.messages[0]!.offset), pause, err);
      return;
    }
    const todo: KafkaMessage[] = [];
    for (const message of batch.messages) {
      const offset = BigInt(message.offset);
      if (offset < position.expected) {
        if (position.sought) continue; // applied before: the checkpoint is past it
        this.#seek(consumer, topic, partition, position);
        return;
      }
      if (offset > position.expected && todo.length === 0 && !position.sought) {
        this.#seek(consumer, topic, partition, position);
        return; // fetched from Kafka's position, which is ahead of ours
      }
      todo.push(message);
    }
    const size = this.#o.tuning.maxBatchMessages;
    for (let i = 0; i < todo.length; i += size) {
      if (this.#stopping || !isRunning() || isStale()) return; // the next start positions from the database
      const chunk = todo.slice(i, i + size);
      const first = BigInt(chunk[0]!.offset);
      const last = chunk.at(-1)!.offset;
      try {
        await this.#o.process(partition, chunk);
      } catch (err) {
        this.#backOff(consumer, topic, partition, first, pause, err);
        return;
      }
      const next = BigInt(last) + 1n;
      this.#positions.set(partition, { expected: next, sought: true });
      this.#applied.set(partition, String(next));
      resolveOffset(last);
      if (this.#failures.delete(partition) && this.#failures.size === 0) this.#state = 'running';
      await heartbeat();
    }
  }

  #seekOnAssignment(consumer: Consumer, partition: number, generation: number, attempt = 1): void {
    this.#positions.get(partition).then(
      (position) => {
        if (generation !== this.#positions.generation || this.#stopping || position.sought) return;
        this.#seek(consumer, this.#o.topic, partition, position);
      },
      (err: unknown) => {
        if (generation !== this.#positions.generation || this.#stopping) return;
        const { retryInitialMs, retryMaxMs } = this.#o.tuning;
        const delay = Math.min(retryInitialMs * 2 ** Math.min(attempt - 1, 20), retryMaxMs);
        this.#log.warn({ err, partition, retryInMs: delay }, 'cannot read the stored offset yet');
        const timer = setTimeout(() => {
          this.#timers.delete(timer);
          this.#seekOnAssignment(consumer, partition, generation, attempt + 1);
        }, delay);
        this.#timers.add(timer);
      },
    );
  }

  #seek(consumer: Consumer, topic: string, partition: number, position: Position): void {
    this.#log.debug(
      { partition, offset: String(position.expected) },
      'seeking to the stored offset',
    );
    consumer.seek({ topic, partition, offset: String(position.expected) });
    position.sought = true;
  }

  /** Leaves the message unprocessed: pause, seek back to it, resume after a growing delay. */
  #backOff(
    consumer: Consumer,
    topic: string,
    partition: number,
    offset: bigint,
    pause: () => () => void,
    err: unknown,
  ): void {
    const attempt = (this.#failures.get(partition) ?? 0) + 1;
    this.#failures.set(partition, attempt);
    this.#state = 'retrying';
    const { retryInitialMs, retryMaxMs } = this.#o.tuning;
    const delay = Math.min(retryInitialMs * 2 ** Math.min(attempt - 1, 20), retryMaxMs);
    const log = { err, partition, offset: String(offset), attempt, retryInMs: delay };
    if (attempt === 1) this.#log.warn(log, 'message failed; retrying it after a pause');
    else this.#log.error(log, 'message still failing; retrying it after a pause');
    // Known position: the message comes back next. Unknown (the checkpoint could not be read):
    // it is read again before anything is processed.
    if (this.#positions.has(partition)) {
      this.#positions.set(partition, { expected: offset, sought: true });
    }
    consumer.seek({ topic, partition, offset: String(offset) });
    const resume = pause();
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (!this.#stopping) resume();
    }, delay);
    this.#timers.add(timer);
  }

  /** Monitoring only: tools that read the group's committed offsets see the real progress. */
  async #commitToKafka(consumer = this.#consumer): Promise<void> {
    if (!consumer || this.#applied.size === 0) return;
    const offsets = [...this.#applied].map(([partition, offset]) => ({
      topic: this.#o.topic,
      partition,
      offset,
    }));
    this.#applied.clear();
    await consumer
      .commitOffsets(offsets)
      .catch((err: unknown) => this.#log.debug({ err }, 'offset commit to Kafka skipped'));
  }
}
