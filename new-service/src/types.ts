import type { Pool } from 'pg';
import type { Logger } from 'pino';

/** Options of {@link startNewService}. */
export interface NewServiceOptions {
  /**
   * URL of the service's OWN Postgres database (`postgres://user:password@host:5432/newservice`),
   * never the legacy one. Required unless `pool` is given.
   */
  databaseUrl?: string;
  /** A pool to use instead of `databaseUrl`; `close()` does not end a pool it was given. */
  pool?: Pool;
  /** Kafka bootstrap servers, `host:port` each. Required. */
  kafkaBrokers: string[];
  /** Topic of the allocation events. Default `allocation.events`. */
  topic?: string;
  /** Kafka consumer group. Default `new-service`. */
  group?: string;
  /** Kafka client id, shown in broker logs. Default `strangler-new-service`. */
  clientId?: string;
  /** HTTP port; 0 picks a free one. Default 3001. */
  port?: number;
  /** Interface to listen on. Default `0.0.0.0`. */
  host?: string;
  /** Logger (pino). Default: pino JSON on stdout at `info`. */
  logger?: Logger;
  /** Create or update the schema at start (idempotent, safe from several instances). Default true. */
  migrate?: boolean;
  /** Maximum database connections of the pool made from `databaseUrl`. Default 10. */
  poolSize?: number;
  /** How long `close()` lets HTTP requests in flight finish before cutting them. Default 10000. */
  shutdownGraceMs?: number;
  /** Consume nothing: serve HTTP from the database as it is (e.g. a read replica). Default false. */
  consume?: boolean;
  /**
   * Keep availability answers in memory, dropped when Postgres notifies a change of the product
   * (LISTEN/NOTIFY, so every instance drops them). Without a listening connection nothing is
   * cached. Default true.
   */
  readCache?: boolean;
  /** Consumer tuning; the defaults keep group joins and restarts fast. */
  consumer?: ConsumerTuning;
}

/** kafkajs consumer settings and the service's retry policy. */
export interface ConsumerTuning {
  /** Group session timeout in ms: a member silent this long is dropped. Default 10000. */
  sessionTimeoutMs?: number;
  /** Heartbeat interval in ms. Default 1000. */
  heartbeatIntervalMs?: number;
  /** Longest a fetch waits for data in ms (lower means lower latency when idle). Default 200. */
  maxWaitTimeMs?: number;
  /** Partitions processed at the same time (each in order). Default 3. */
  partitionsConsumedConcurrently?: number;
  /**
   * Most messages of one partition applied in one database transaction. A backlog is worked off
   * in few transactions; a lone message is applied alone, at once. Default 500.
   */
  maxBatchMessages?: number;
  /** First wait after a transient failure (database down) in ms; doubles per retry. Default 200. */
  retryInitialMs?: number;
  /** Longest wait between retries of a failing message in ms. Default 5000. */
  retryMaxMs?: number;
  /** How often the processed offsets are also committed to Kafka (for monitoring) in ms. Default 5000. */
  kafkaCommitIntervalMs?: number;
}

/** What {@link startNewService} resolves to once the HTTP port is bound. */
export interface RunningNewService {
  /** Base URL, e.g. `http://127.0.0.1:41237`. */
  readonly url: string;
  readonly port: number;
  /** The consumer's lag and state, as `GET /status` reports it. */
  status(): Promise<ServiceStatus>;
  /** Stops consuming (finishing the message in flight), stops HTTP, ends the pool it made. */
  close(): Promise<void>;
}

/** Where one Kafka message is. Offsets are decimal strings, as kafkajs gives them. */
export interface MessagePosition {
  topic: string;
  partition: number;
  offset: string;
}

/** The deduplication key of an event: CloudEvents `source` + `id`, plus its type for the record. */
export interface EventIdentity {
  source: string;
  id: string;
  type: string;
}

/**
 * What happened to a message:
 * - `applied`: the model changed;
 * - `unchanged`: valid, but the model already said so (e.g. a product created twice);
 * - `stale`: older than the product's version, skipped;
 * - `duplicate`: its event id was processed before (redelivery), skipped;
 * - `dead_lettered`: it can never be applied, stored in `dead_letter`;
 * - `already_processed`: the partition checkpoint is past it (a redelivery after a rebalance).
 */
export type ConsumeOutcome =
  'applied' | 'unchanged' | 'stale' | 'duplicate' | 'dead_lettered' | 'already_processed';

/** Outcomes stored in the inbox with the event id. */
export type InboxOutcome = 'applied' | 'unchanged' | 'stale' | 'dead_lettered';

/** A Kafka message as received, kept byte for byte in a dead letter. */
export interface RawMessage {
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
  timestamp?: string;
}

/** Why a message can never be applied. */
export interface DeadLetterReason {
  /** `DECODE_FAILED`, `INVALID_ENVELOPE`, `UNKNOWN_TYPE`, `INVALID_DATA` (event-schemas), a domain rule (`unknown_batch`, ...) or `database_rejected`. */
  code: string;
  message: string;
  details?: unknown;
}

export interface DeadLetter {
  position: MessagePosition;
  message: RawMessage;
  reason: DeadLetterReason;
  event?: EventIdentity;
}

/** One partition in {@link ServiceStatus}. */
export interface PartitionStatus {
  partition: number;
  /** Offset of the next message to apply, from the checkpoint table; null before the first one. */
  nextOffset: number | null;
  /** The partition's high watermark (offset of the next message to be written). */
  highWatermark: number;
  /** Earliest offset still in the partition. */
  lowWatermark: number;
  /** Messages not yet applied: highWatermark - (nextOffset ?? lowWatermark). */
  lag: number;
}

/** `GET /status`: how far the model is behind the topic. */
export interface ServiceStatus {
  topic: string;
  group: string;
  /** `starting`, `running` (member of the group), `retrying` (a transient failure), `stopped`, `disabled` (consume: false). */
  consumer: ConsumerState;
  partitions: PartitionStatus[];
  /** Sum of the partitions' lag; null when Kafka or the database could not be asked. */
  lag: number | null;
  /** True when every message written to the topic so far has been applied. */
  caughtUp: boolean;
  /** Dead letters (messages that could never be applied) no replay has taken into account. */
  deadLetters: number | null;
  /** Messages this instance processed since it started, by outcome. */
  messages: Record<ConsumeOutcome, number>;
  /** Why the figures are missing, when they are. */
  error?: string;
  /** When these figures were taken, ISO 8601 UTC. */
  checkedAt: string;
}

export type ConsumerState = 'starting' | 'running' | 'retrying' | 'stopped' | 'disabled';

/** One batch in an availability answer. */
export interface BatchAvailability {
  ref: string;
  eta: string | null;
  available: number;
}

/** `GET /products/:sku/availability` body, field for field what the legacy monolith answers. */
export interface AvailabilityReport {
  sku: string;
  requestedQty: number;
  availableNow: number;
  totalAvailable: number;
  batches: BatchAvailability[];
  canFulfil: boolean;
  earliestDate: string | null;
}

/** What {@link replayDeadLetters} did with one dead letter. */
export interface ReplayResult extends MessagePosition {
  /** The dead letter's id (`dead_letter.id`). */
  id: string;
  /** `applied`, `unchanged`, `duplicate` (already taken into account), or `dead_lettered` again. */
  outcome: ConsumeOutcome;
  /** Why it failed again. */
  reason?: DeadLetterReason;
}

/** Options of {@link replayDeadLetters}. */
export interface ReplayOptions {
  /** The service's database. Required unless `pool` is given. */
  databaseUrl?: string;
  /** A pool to use instead of `databaseUrl` (not ended). */
  pool?: Pool;
  /** Only these dead letters (`dead_letter.id`); default: every one waiting, oldest first. */
  ids?: string[];
  /** Logger (pino). Default: pino JSON on stdout at `info`. */
  logger?: Logger;
}
