import type { AnyCatalog, CatalogEvent } from '@strangler/event-schemas';
import type { Logger as PinoLogger } from 'pino';
import type { Mapper } from './mapping/types.js';

/** pino's logger: `logger.info({ fields }, 'message')`. */
export type Logger = Pick<PinoLogger, 'debug' | 'info' | 'warn' | 'error'>;

/** Options of `startAdapter`. `catalog`, `mapper`, `topic`, `databaseUrl` and `kafkaBrokers` are required. */
export interface AdapterOptions<C extends AnyCatalog = AnyCatalog> {
  /** Your event catalog (`defineCatalog`): events are created, validated and encoded by it. */
  catalog: C;
  /** Your anti-corruption layer (`defineMapper(catalog, ...)`, or a plain object of that shape). */
  mapper: Mapper<C> | Mapper;
  /** Topic the events go to; created (broker defaults) when missing. */
  topic: string;
  /** Connection string of the legacy database (a role with REPLICATION, and CREATE on the database for the publication). */
  databaseUrl: string;
  /** Kafka bootstrap servers, `host:port`. */
  kafkaBrokers: string[];
  /**
   * What a mapping error (the mapper throws, or the catalog refuses a draft) does: `stop` the
   * adapter (exit 2, nothing from that change on confirmed) or publish the raw change to
   * `deadLetterTopic` and go on. Default `stop`.
   */
  onMappingError?: 'stop' | 'dead-letter';
  /** Topic of the dead letters (`onMappingError: 'dead-letter'`). Default `<topic>.dead-letters`. */
  deadLetterTopic?: string;
  /**
   * What a TRUNCATE of a captured table does when the mapper has no `mapTruncate`: `stop` the
   * adapter (exit 2) or `skip` it (logged at warn). Default `stop`. With `mapTruncate`, its events
   * are published.
   */
  onTruncate?: 'stop' | 'skip';
  /** Logical replication slot name. Default `strangler_adapter`. Lower-case letters, digits and `_`. */
  slot?: string;
  /** Publication name; created (or its table list updated) at start. Default `strangler_adapter`. */
  publication?: string;
  /**
   * CloudEvents `source` of the events, part of their deterministic ids. Default
   * `/strangler/legacy-adapter/<slot>`. Changing it changes every id: keep it stable.
   */
  source?: string;
  /** Run ALTER TABLE ... REPLICA IDENTITY FULL where the mapper needs old rows, instead of refusing to start. Default false. */
  alterReplicaIdentity?: boolean;
  /**
   * When the slot is gone but a snapshot was taken before, drop the marker and take a new
   * snapshot instead of stopping. Events between the loss and now are not recovered one by one:
   * the new snapshot carries the current state. Default false.
   */
  resnapshot?: boolean;
  /** Transactions written under these replication origins are not captured (loop prevention). Default `['strangler_writeback']`. */
  skipOrigins?: string[];
  /** Most messages in one Kafka request. Default 1000. */
  maxBatchEvents?: number;
  /**
   * Most bytes (estimated: keys, values, headers) in one Kafka request; keep it under the
   * broker's `message.max.bytes` (Kafka's default 1,048,588). A transaction larger than this is
   * published in several requests, in order, and confirmed after the last. Default 900,000.
   */
  maxBatchBytes?: number;
  /**
   * How long a transaction may wait, ms, for later ones to share its Kafka request (Kafka's
   * `linger.ms`). Requests cost CPU in the adapter and the broker whatever their size, so at a few
   * hundred small transactions a second a short linger saves much of it; a full request goes at
   * once. 0 sends every request as soon as the one before it is answered. Default 5.
   */
  lingerMs?: number;
  /** Messages waiting for Kafka before the adapter stops reading the replication stream. Default 20000. */
  maxQueuedEvents?: number;
  /** Interval of standby status updates to Postgres, ms. Default 10000. */
  statusIntervalMs?: number;
  /**
   * Longest wait for Kafka to answer one publish request (the client's own retries included), ms.
   * After it, the producer is replaced by a new one and the request is sent again (same event
   * ids). Default 30000.
   */
  publishTimeoutMs?: number;
  /** Kafka client id. Default `strangler-legacy-adapter`. */
  clientId?: string;
  /** Where logs go. Default: pino to stdout at `info`. */
  logger?: Logger;
}

/** What `adapter.status()` and `GET /status` return. */
export interface AdapterStatus {
  slot: string;
  /** `snapshot` while loading existing rows, then `streaming`. */
  phase: 'starting' | 'snapshot' | 'streaming' | 'stopped' | 'failed';
  /** Rows read from the initial snapshot. */
  snapshotRows: number;
  /** Source transactions mapped (including those with no event). */
  transactions: number;
  /** Events published or queued for publishing. */
  events: number;
  /** Changes sent to the dead-letter topic. */
  deadLetters: number;
  /** Last end LSN confirmed to Postgres, e.g. `0/16B3748`. */
  confirmedLsn: string;
  /** The way to Kafka: what waits, and why it is not moving when it is not. */
  publishing: PublishingStatus;
}

/** `status().publishing`. */
export interface PublishingStatus {
  /** Events mapped and not yet acknowledged by Kafka. */
  queuedEvents: number;
  /** Kafka requests acknowledged so far; `events` / `requests` is what `lingerMs` buys. */
  requests: number;
  /** Failed attempts of the request being sent now (0 when the last one succeeded). */
  failedAttempts: number;
  /** Message of the last failed attempt, while the request is still failing. */
  lastError: string | null;
  /** Producers replaced because one stopped answering (`publishTimeoutMs`). */
  producerRestarts: number;
}

/** A running adapter. */
export interface RunningAdapter {
  status(): AdapterStatus;
  /**
   * Resolves with the error when the adapter stopped by itself (never on success), once it has
   * closed its connections: a `LegacyAdapterError` whose `retriable` says whether a restart may help.
   */
  readonly failed: Promise<Error>;
  /**
   * Resolves once everything committed in the database before the call is in Kafka, with the
   * topic's end offsets then: what the proxy's write barrier asks (`POST /barrier` on the status
   * port) before a group's writes move. Rejects with `BARRIER_FAILED` after `timeoutMs`
   * (default 10,000).
   */
  barrier(timeoutMs?: number): Promise<BarrierPosition>;
  /** Stops reading, publishes what was read, confirms it, and closes every connection. */
  close(): Promise<void>;
}

/** Where everything committed before a barrier is: the topic and its partitions' next offsets. */
export interface BarrierPosition {
  topic: string;
  offsets: Record<string, string>;
}

// ---------------------------------------------------------------------------------------------
// Write-back: the new service's events applied to the legacy database
// ---------------------------------------------------------------------------------------------

/** The legacy transaction a write-back mapping writes in (one per Kafka batch of a partition). */
export interface WriteBackTransaction {
  /** Runs one statement, e.g. `tx.query('UPDATE customers SET name = $2 WHERE id = $1', [id, name])`. */
  query<R extends Record<string, unknown> = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
}

/**
 * Your mapping of the new service's events onto the legacy schema: the reverse of a mapper. Each
 * event is applied exactly once, in partition order, in a transaction the adapter commits with
 * the progress; its writes carry the replication origin the capture skips, so they do not come
 * back as legacy events.
 */
export interface WriteBackMapping<C extends AnyCatalog = AnyCatalog> {
  /** Writes one event to the legacy tables. Throwing stops the partition until it succeeds. */
  apply(event: CatalogEvent<C>, tx: WriteBackTransaction): Promise<void> | void;
}

/** Options of `startWriteBack`. */
export interface WriteBackOptions<C extends AnyCatalog = AnyCatalog> {
  /** The catalog of the new service's events. */
  catalog: C;
  /** Your mapping (`defineWriteBack(catalog, { apply })`). */
  mapping: WriteBackMapping<C>;
  /** The topic the new service's events are published to (its outbox). */
  topic: string;
  /** The legacy database: the write-back's role needs to write the tables and use replication origins. */
  databaseUrl: string;
  kafkaBrokers: string[];
  /**
   * Only events of these CloudEvents sources are applied (others are passed over), e.g. the
   * command runner's `source`. Default: every event of the topic.
   */
  sources?: string[];
  /**
   * Replication origin of the writes: per partition `<origin>:<topic>:<partition>`, which the
   * capture skips for an origin in its `skipOrigins`. Default `strangler_writeback`.
   */
  origin?: string;
  /** Kafka consumer group. Default `strangler-writeback`. */
  groupId?: string;
  /** First wait after a failed batch, ms; doubles up to 30 s. Default 500. */
  retryInitialMs?: number;
  /**
   * Serve `GET /healthz`, `GET /status` and `GET /applied?topic=&offsets=` (the proxy's write
   * barrier, before writes move back to legacy) on this port. Default: no port.
   */
  statusPort?: number;
  /** Interface of the status port. Default 127.0.0.1. */
  statusHost?: string;
  logger?: Logger;
}

/** What a running write-back is doing. */
export interface WriteBackStatus {
  state: 'starting' | 'running' | 'failing' | 'stopped';
  /** Events applied to legacy since start. */
  applied: number;
  /** Events passed over: already applied before (a redelivery), or of another source. */
  skipped: number;
  /** Per partition, the offset of the next event to apply, as committed in legacy. */
  partitions: Record<string, string>;
  /** The failing batch's attempts and last error while a partition is stuck. */
  failing: { partition: number; offset: string; attempts: number; lastError: string } | null;
}

/** A partition the write-back has not applied far enough yet. */
export interface WriteBackBehind {
  partition: number;
  applied: string;
  wanted: string;
}

/** A running write-back. */
export interface RunningWriteBack {
  status(): WriteBackStatus;
  /**
   * Whether everything before these offsets of `topic` is applied to legacy, read from the
   * replication origins (so it holds across restarts and instances): the partitions still behind.
   */
  applied(topic: string, offsets: Record<string, string>): Promise<WriteBackBehind[]>;
  /** The status port's address, when `statusPort` was given. */
  readonly statusUrl?: string;
  /** Lets the batch in flight finish, leaves the group, closes the pool. */
  close(): Promise<void>;
}
