import type { Logger as PinoLogger } from 'pino';
import type { Mapper } from './mapping/mapper.js';

/** pino's logger: `logger.info({ fields }, 'message')`. */
export type Logger = Pick<PinoLogger, 'debug' | 'info' | 'warn' | 'error'>;

/** Options of `startAdapter`. */
export interface AdapterOptions {
  /** Connection string of the legacy database (a role with REPLICATION, and CREATE on the database for the publication). */
  databaseUrl: string;
  /** Kafka bootstrap servers, `host:port`. */
  kafkaBrokers: string[];
  /** Topic the domain events go to. Default `allocation.events`. */
  topic?: string;
  /** Logical replication slot name. Default `strangler_adapter`. Lower-case letters, digits and `_`. */
  slot?: string;
  /** Publication name; created (or its table list updated) at start. Default `strangler_adapter`. */
  publication?: string;
  /**
   * CloudEvents `source` of the events, part of their deterministic ids. Default
   * `/strangler/legacy-adapter/<slot>`. Changing it changes every id: keep it stable.
   */
  source?: string;
  /** The anti-corruption layer. Default: the mapping for the example legacy monolith. */
  mapper?: Mapper;
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
  /** Most events in one Kafka request. Default 1000. */
  maxBatchEvents?: number;
  /**
   * Most bytes (estimated: keys, values, headers) in one Kafka request; keep it under the
   * broker's `message.max.bytes` (Kafka's default 1,048,588). A transaction larger than this is
   * published in several requests, in order, and confirmed after the last. Default 900,000.
   */
  maxBatchBytes?: number;
  /** Events waiting for Kafka before the adapter stops reading the replication stream. Default 20000. */
  maxQueuedEvents?: number;
  /** Interval of standby status updates to Postgres, ms. Default 10000. */
  statusIntervalMs?: number;
  /** Kafka client id. Default `strangler-legacy-adapter`. */
  clientId?: string;
  logger?: Logger;
}

export interface AdapterStatus {
  slot: string;
  /** `snapshot` while loading existing rows, then `streaming`. */
  phase: 'starting' | 'snapshot' | 'streaming' | 'stopped' | 'failed';
  snapshotRows: number;
  transactions: number;
  events: number;
  /** Last end LSN confirmed to Postgres, e.g. `0/16B3748`. */
  confirmedLsn: string;
}

/** A running adapter. */
export interface RunningAdapter {
  status(): AdapterStatus;
  /** Resolves when the adapter stops by itself with an error (it never resolves on success). */
  readonly failed: Promise<Error>;
  /** Stops reading, publishes what was read, confirms it, and closes every connection. */
  close(): Promise<void>;
}
