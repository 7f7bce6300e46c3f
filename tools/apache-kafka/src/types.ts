/** Options of `startApacheKafka`. */
export interface ApacheKafkaOptions {
  /**
   * 1 for a single combined broker+controller node (the settings of `docker-compose.yml`), 3 for a
   * KRaft cluster of three combined nodes with replication factor 3 and `min.insync.replicas=2`.
   * Default 1.
   */
  nodes?: 1 | 3;
  /** Client port of the first node; the others take the next free ports. Default: any free port. */
  port?: number;
  /** Host the nodes listen on and advertise. Default `127.0.0.1`. */
  host?: string;
  /**
   * Folder for the nodes' data and logs. Default: a new temporary folder, removed by `stop()`.
   * A folder given here is kept, and reused when it already holds formatted nodes.
   */
  dataDir?: string;
  /** Where the Maven-fetched jars are cached. Default `STRANGLER_KAFKA_CACHE` or `<repo>/.cache/apache-kafka`. */
  cacheDir?: string;
  /** Broker settings added to (or replacing) the defaults, e.g. `{ 'message.max.bytes': '2000000' }`. */
  overrides?: Record<string, string>;
  /** Maximum heap per node. Default `768m`. */
  heap?: string;
  /** How long to wait for the cluster to serve. Default 120 s. */
  startTimeoutMs?: number;
  /** Progress lines (fetching, formatting, started). Default: none. */
  log?: (line: string) => void;
}

/** One node of a running cluster. */
export interface ApacheKafkaNode {
  /** KRaft node id, 1-based. */
  readonly id: number;
  /** host:port of the node's client listener. */
  readonly broker: string;
  /** The node's JVM process id, or undefined while it is not running. */
  readonly pid: number | undefined;
  readonly running: boolean;
  /** The node's server log file (stdout and stderr of the JVM). */
  readonly logFile: string;
  /** Sends `signal` (default SIGKILL, a crash) and waits until the process is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the node again on its data and ports, and waits until its broker answers. */
  start(): Promise<void>;
}

/** A running Apache Kafka cluster. */
export interface ApacheKafka {
  /** host:port of every node, the value for `KAFKA_BROKERS`. */
  readonly brokers: string[];
  readonly nodes: readonly ApacheKafkaNode[];
  /** The Kafka version running. */
  readonly version: string;
  /** Stops every node (SIGTERM, then SIGKILL after 20 s) and removes a temporary data folder. */
  stop(): Promise<void>;
}
