/** Log verbosity, most to least verbose. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** Where the broker's log lines go. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Options of `startBroker`. Every field is optional. */
export interface BrokerOptions {
  /** TCP port to listen on; 0 picks a free one. The bound port is what Metadata advertises. Default 9092. */
  port?: number;
  /** Interface to bind. Default "127.0.0.1"; use "0.0.0.0" to accept remote clients. */
  host?: string;
  /**
   * Host name clients are told to connect to (Metadata, FindCoordinator). Default: `host`, or
   * "127.0.0.1" when `host` is a wildcard address.
   */
  advertisedHost?: string;
  /**
   * Directory for the log and committed offsets, so they survive a restart. Absent: everything is
   * kept in memory and gone on stop.
   */
  dataDir?: string;
  /**
   * How often unsynced appends are fsynced, in ms. 0 fsyncs every produce and offset commit before
   * it is acknowledged. Default 1000. Only meaningful with `dataDir`.
   */
  fsyncIntervalMs?: number;
  /** Partitions of auto-created topics and of CreateTopics requests that ask for -1. Default 1. */
  partitions?: number;
  /** Create unknown topics on Metadata and Produce requests (Kafka's auto.create.topics.enable). Default true. */
  autoCreateTopics?: boolean;
  /** Largest record batch accepted, in bytes (Kafka's message.max.bytes). Default 1048588 (1 MiB + 12). */
  maxMessageBytes?: number;
  /** Largest request frame accepted; a bigger one closes the connection (socket.request.max.bytes). Default 104857600. */
  maxRequestBytes?: number;
  /** Smallest consumer session timeout accepted, in ms (group.min.session.timeout.ms). Default 6000. */
  minSessionTimeoutMs?: number;
  /** Largest consumer session timeout accepted, in ms (group.max.session.timeout.ms). Default 1800000. */
  maxSessionTimeoutMs?: number;
  /**
   * Wait before the first rebalance of an empty group, in ms (group.initial.rebalance.delay.ms).
   * Kafka's default is 3000; here 0, so tests do not wait.
   */
  initialRebalanceDelayMs?: number;
  /** Largest metadata string of a committed offset (offset.metadata.max.bytes). Default 4096. */
  maxOffsetMetadataBytes?: number;
  /** This broker's node id. Default 0. */
  nodeId?: number;
  /** Cluster id reported in Metadata. Default: generated, and kept in `dataDir` when there is one. */
  clusterId?: string;
  /** Minimum level logged. Default "info". */
  logLevel?: LogLevel;
  /** Where log lines go. Default: one line per message on stderr, prefixed "[embedded-kafka]". */
  logger?: Logger;
}

/** A running broker. */
export interface Broker {
  /** The bound interface. */
  readonly host: string;
  /** The bound port. */
  readonly port: number;
  /** Bootstrap servers for clients, e.g. `["127.0.0.1:9092"]` (the advertised address). */
  readonly brokers: string[];
  readonly clusterId: string;
  /**
   * Closes every connection, answers nothing further, stops all timers, flushes and closes files.
   * Resolves when the port is released. Safe to call twice.
   */
  stop(): Promise<void>;
}
