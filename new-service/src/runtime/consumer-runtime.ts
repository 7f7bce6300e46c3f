import type { Kafka, KafkaMessage } from 'kafkajs';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { consumeBatch, type ConsumeDependencies, type ConsumeResult } from '../consumer/consume.js';
import { incoming, type IncomingMessage } from '../consumer/decode.js';
import type { KafkaAdmin } from '../kafka/admin.js';
import { KafkaEventConsumer } from '../kafka/event-consumer.js';
import { loadCheckpoint } from '../postgres/checkpoints.js';
import type {
  AnyConsumer,
  ConsumeOutcome,
  ConsumerState,
  ConsumerStatus,
  ConsumerTuning,
} from '../types.js';
import { readConsumerStatus } from './status.js';

export interface ConsumerRuntimeOptions {
  consumer: AnyConsumer;
  pool: Pool;
  kafka: Kafka;
  admin: KafkaAdmin;
  tuning: Required<ConsumerTuning>;
  logger: Logger;
}

export const noOutcomes = (): Record<ConsumeOutcome, number> => ({
  applied: 0,
  unchanged: 0,
  stale: 0,
  duplicate: 0,
  dead_lettered: 0,
  already_processed: 0,
});

/** One consumer of a running service: its Kafka consumer, its counts, its status. */
export class ConsumerRuntime {
  readonly consumer: AnyConsumer;
  readonly counts = noOutcomes();
  readonly deps: ConsumeDependencies;
  readonly #o: ConsumerRuntimeOptions;
  readonly #log: Logger;
  /** Batches whose COMMIT was sent but whose outcomes are not counted yet. */
  readonly #settling = new Set<Promise<void>>();
  #kafkaConsumer: KafkaEventConsumer | undefined;
  #state: 'disabled' | 'rebuilding' | 'stopped' | undefined = 'disabled';

  constructor(options: ConsumerRuntimeOptions) {
    this.#o = options;
    this.consumer = options.consumer;
    this.#log = options.logger.child({ consumer: options.consumer.name });
    this.deps = { pool: options.pool, consumer: options.consumer, logger: this.#log };
  }

  get state(): ConsumerState {
    return this.#state ?? this.#kafkaConsumer?.state ?? 'starting';
  }

  /** Starts consuming in the background (a broker or topic not there yet is waited for). */
  start(): void {
    const { consumer, kafka, admin, tuning, pool } = this.#o;
    this.#state = undefined;
    this.#kafkaConsumer = new KafkaEventConsumer({
      kafka,
      admin,
      tuning,
      topic: consumer.topic,
      groupId: consumer.group,
      logger: this.#log,
      storedOffset: (partition) => loadCheckpoint(pool, consumer.name, consumer.topic, partition),
      process: async (partition, messages) => {
        await this.consumeMany(partition, messages);
      },
    });
    this.#kafkaConsumer.start();
  }

  /** Stops fetching; the batch in flight finishes its transaction; leaves the group. */
  async stop(next: 'stopped' | 'rebuilding' = 'stopped'): Promise<void> {
    const kafkaConsumer = this.#kafkaConsumer;
    this.#kafkaConsumer = undefined;
    if (this.#state !== 'disabled') this.#state = next;
    await kafkaConsumer?.stop();
  }

  get running(): boolean {
    return this.#kafkaConsumer !== undefined;
  }

  /** Messages of one partition, in offset order, applied exactly once (see consumeBatch). */
  async consumeMany(partition: number, messages: KafkaMessage[]): Promise<ConsumeResult[]> {
    const batch = messages.map((m) => incoming(this.consumer, partition, m));
    let settle!: () => void;
    const settled = new Promise<void>((resolve) => (settle = resolve));
    // Once a COMMIT is sent, /status may see its checkpoint before this instance counted its
    // outcomes: status waits for such batches, so its counts never lag its checkpoints.
    const onCommitting = () => void this.#settling.add(settled);
    try {
      const results = await consumeBatch({ ...this.deps, onCommitting }, batch);
      batch.forEach((m, i) => this.record(m, results[i]!));
      return results;
    } finally {
      this.#settling.delete(settled);
      settle();
    }
  }

  record({ position, decoded }: IncomingMessage, { outcome, reason }: ConsumeResult): void {
    this.counts[outcome] += 1;
    const fields = {
      partition: position.partition,
      offset: position.offset,
      event: decoded.identity,
      outcome,
    };
    if (outcome === 'dead_lettered') {
      this.#log.warn(
        { ...fields, reason: reason?.code, why: reason?.message },
        'message dead-lettered',
      );
    } else if (this.#log.isLevelEnabled('debug')) this.#log.debug(fields, 'message consumed');
  }

  status(timeoutMs: number): Promise<ConsumerStatus> {
    return readConsumerStatus({
      consumer: this.consumer,
      pool: this.#o.pool,
      admin: this.#o.admin,
      state: () => this.state,
      counts: async () => {
        await settledOrLater([...this.#settling], 1000);
        return { ...this.counts };
      },
      timeoutMs,
    });
  }
}

/** Waits for the promises, at most `ms` (a COMMIT that hangs must not hang /status). */
async function settledOrLater(promises: Promise<void>[], ms: number): Promise<void> {
  if (promises.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  const later = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  await Promise.race([Promise.all(promises), later]);
  clearTimeout(timer);
}
