import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { ParsedUrlQuery } from 'node:querystring';
import type { AnyCatalog, CatalogEvent, ExtensionValue } from '@strangler/event-schemas';
import type { Pool, QueryConfig, QueryResult, QueryResultRow } from 'pg';
import type { Logger } from 'pino';

// ---------------------------------------------------------------------------------------------
// Consumers
// ---------------------------------------------------------------------------------------------

/**
 * The kit's handle on one Postgres transaction (the kit owns BEGIN and COMMIT). A consumer's
 * `unitOfWork(tx)` builds the user's repositories on it; everything run through it commits or
 * rolls back with the event's inbox entry and partition checkpoint.
 */
export interface Transaction {
  /** Runs one statement on the transaction's connection, e.g. `tx.query('UPDATE ... WHERE id = $1', [id])`. */
  query<R extends QueryResultRow = QueryResultRow>(
    text: string | QueryConfig,
    values?: unknown[],
  ): Promise<QueryResult<R>>;
  /** Runs `work` in a savepoint: if it throws, only its own writes are undone, and it rethrows. */
  savepoint<T>(work: () => Promise<T>): Promise<T>;
  /**
   * Runs `callback` once the transaction committed (never if it rolled back), e.g. to drop a cache
   * entry in this process. A failing callback is logged; the commit stands.
   */
  afterCommit(callback: () => void | Promise<void>): void;
  /** `pg_notify(channel, payload)` in the transaction: Postgres delivers it only if it commits. */
  notify(channel: string, payload: string): Promise<void>;
}

/** Where one Kafka message is. Offsets are decimal strings, as kafkajs gives them. */
export interface MessagePosition {
  topic: string;
  partition: number;
  offset: string;
}

/** The deduplication key of an event, CloudEvents `source` + `id`, and its `type` as received. */
export interface EventIdentity {
  source: string;
  id: string;
  type: string;
}

/** What a handler learns about the event besides the event itself. */
export interface EventContext {
  /** The consumer's name. */
  consumer: string;
  /** Topic, partition and offset of the message. */
  position: MessagePosition;
  /** Source, id and type (as it arrived, before upcasting) of the event. */
  event: EventIdentity;
  /** CloudEvents extension attributes the catalog does not know (e.g. `traceparent`). */
  extensions: Record<string, ExtensionValue>;
  /** The `type` the event arrived with when an older version was upcast to the current one. */
  upcastFrom?: string;
  /**
   * True when a dead letter is applied again (`replay-dead-letters`): the event is older than the
   * state by nature, so a handler that skips stale events should apply it anyway.
   */
  replay: boolean;
  /** The consumer's logger with the event's position and id (child of the service logger). */
  log: Logger;
}

/**
 * What a handler reports: `applied` (also `undefined`) the state changed; `unchanged` valid but
 * the state already said so; `stale` older than the state, skipped. Stored in the inbox.
 */
export type HandleResult = 'applied' | 'unchanged' | 'stale' | void;

/** Why a message can never be applied, stored with the dead letter. */
export interface DeadLetterReason {
  /**
   * `DECODE_FAILED`, `INVALID_ENVELOPE`, `UNKNOWN_TYPE`, `INVALID_DATA` (the catalog refused it),
   * a `rejected(...)` reason, `database_rejected` (SQLSTATE class 22/23), or a code of the user's
   * `deadLetterWhen`.
   */
  code: string;
  message: string;
  details?: unknown;
}

/** Options of {@link defineConsumer}: a handler or projection over the user's catalog. */
export interface ConsumerOptions<C extends AnyCatalog, U> {
  /**
   * Unique in the service, 1-100 of `A-Z a-z 0-9 . _ -`, e.g. `ledger`. Keys the consumer's
   * inbox rows, checkpoints and dead letters: renaming a consumer makes it start over.
   */
  name: string;
  /** The catalog (`defineCatalog`) the topic's events belong to; it decodes, validates and upcasts them. */
  catalog: C;
  /** Kafka topic to consume. */
  topic: string;
  /** Kafka consumer group. Default: the consumer's `name`. Each consumer of a service needs its own. */
  group?: string;
  /**
   * Builds the user's unit of work (repositories, views) on the kit's transaction. Called once per
   * transaction: one per batch of a partition, one per message when a batch falls back.
   */
  unitOfWork: (tx: Transaction) => U;
  /**
   * Applies one event, already decoded, validated and upcast to the current version of its type.
   * Return `stale` or `unchanged` when nothing changed. Throw `rejected(reason, message)` (or an
   * error `deadLetterWhen` classifies) to dead-letter the event; any other error is transient: the
   * partition pauses and the same event is retried with backoff, never skipped.
   */
  handle: (event: CatalogEvent<C>, uow: U, context: EventContext) => Promise<HandleResult>;
  /**
   * Called once per transaction after the last handler and before the kit commits, e.g. to write
   * a repository's pending changes (the book's `uow.commit()`). Not called when a handler threw.
   */
  beforeCommit?: (uow: U) => Promise<void> | void;
  /**
   * Classifies a handler's error: a reason dead-letters the event, `null` forces a retry, and
   * `undefined` lets the default decide (a `rejected` NewServiceError, or SQLSTATE class 22 data
   * exception / 23 integrity violation, dead-letter; anything else is retried).
   */
  deadLetterWhen?: (err: unknown) => DeadLetterReason | null | undefined;
  /**
   * Empties what the consumer built (its projection tables), for `rebuild`: runs in the same
   * transaction that deletes the consumer's inbox rows, checkpoints and dead letters.
   * Without it the consumer cannot be rebuilt.
   */
  reset?: (tx: Transaction) => Promise<void>;
  /**
   * Wait for the WAL flush on commit. Default false: a consumed event's effect, inbox entry and
   * checkpoint are lost together in a crash and the event is consumed again from Kafka. Set true
   * when `afterCommit` callbacks have effects outside the database that must not run twice.
   */
  synchronousCommit?: boolean;
}

/** A consumer made by {@link defineConsumer}: its options checked, `group` filled. */
export interface ConsumerDefinition<
  C extends AnyCatalog = AnyCatalog,
  U = unknown,
> extends Readonly<ConsumerOptions<C, U>> {
  readonly group: string;
}

/** Any consumer definition, whatever its catalog and unit of work (what services accept). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyConsumer = ConsumerDefinition<any, any>;

/**
 * What happened to a message:
 * - `applied`, `unchanged`, `stale`: what the handler reported;
 * - `duplicate`: its event id was taken into account before (a redelivery), skipped;
 * - `dead_lettered`: it can never be applied, stored in `strangler_dead_letter`;
 * - `already_processed`: the partition checkpoint is past it (a redelivery after a rebalance).
 */
export type ConsumeOutcome =
  'applied' | 'unchanged' | 'stale' | 'duplicate' | 'dead_lettered' | 'already_processed';

/** kafkajs consumer settings and the retry policy, for every consumer of a service. */
export interface ConsumerTuning {
  /**
   * Group session timeout in ms: a member silent this long is dropped, so after a crash the
   * partitions it held wait this long. Default 6000, the lowest a broker accepts by default
   * (`group.min.session.timeout.ms`). A clean stop leaves the group at once.
   */
  sessionTimeoutMs?: number;
  /** Heartbeat interval in ms. Default 1000. */
  heartbeatIntervalMs?: number;
  /** Longest a fetch waits for data in ms (lower means lower latency when idle). Default 200. */
  maxWaitTimeMs?: number;
  /** Partitions processed at the same time (each in order). Default 3. */
  partitionsConsumedConcurrently?: number;
  /** Most messages of one partition applied in one database transaction. Default 500. */
  maxBatchMessages?: number;
  /** First wait after a transient failure in ms; doubles per retry. Default 200. */
  retryInitialMs?: number;
  /** Longest wait between retries of a failing message in ms. Default 5000. */
  retryMaxMs?: number;
  /** How often processed offsets are also committed to Kafka (for monitoring only) in ms. Default 5000. */
  kafkaCommitIntervalMs?: number;
}

// ---------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------

/** Options of `createCommandRunner`: how a service runs commands on its aggregates. */
export interface CommandRunnerOptions<C extends AnyCatalog, U> {
  /** The service's pool (`ServiceContext.pool`). */
  pool: Pool;
  /** The catalog of the events the service publishes (made with defineCatalog). */
  catalog: C;
  /**
   * CloudEvents `source` of the service's events, a URI-reference such as
   * `/services/billing`. With the random event id it identifies each event: keep it stable.
   */
  source: string;
  /** Builds the user's unit of work (repositories) on the command's transaction. */
  unitOfWork(tx: Transaction): U;
  /** Writes the unit of work's changes, after the handler and before the events go to the outbox. */
  beforeCommit?(uow: U): void | Promise<void>;
  logger: Logger;
  /** Runs of a command that lost a race (serialization failure, deadlock). Default 3. */
  maxAttempts?: number;
}

/** What a command handler gets besides the unit of work. */
export interface CommandContext<C extends AnyCatalog> {
  /** Records an event of the command, validated by the catalog now, written with the changes. */
  emit<E extends CatalogEvent<C>>(type: E['type'], data: E['data']): void;
  /** The command runs to the end and is rolled back: answer as if it had been done. */
  readonly dryRun: boolean;
  /** The command's transaction (the unit of work is built on it). */
  readonly tx: Transaction;
}

/** Per run of a command. */
export interface RunCommandOptions {
  /** Do everything, then roll back (`x-strangler-dry-run: 1`; see `isDryRun`). Default false. */
  dryRun?: boolean;
  /** `causationid` of the events: the id of the request or message that caused them. */
  causationid?: string;
  /** `correlationid` of the events: shared by the events of one business flow. */
  correlationid?: string;
}

/** What a command left: the handler's result and the events it emitted (not kept by a dry run). */
export interface CommandOutcome<R, C extends AnyCatalog> {
  result: R;
  events: CatalogEvent<C>[];
  dryRun: boolean;
}

/** Runs command handlers, each in its own transaction with its events in the outbox. */
export interface CommandRunner<C extends AnyCatalog, U> {
  /**
   * Runs `handler` on a new unit of work; commits its changes and its events (durably) unless it
   * throws (rolled back, rethrown) or this is a dry run (rolled back, answered the same).
   */
  run<R>(
    handler: (uow: U, context: CommandContext<C>) => Promise<R> | R,
    options?: RunCommandOptions,
  ): Promise<CommandOutcome<R, C>>;
}

// ---------------------------------------------------------------------------------------------
// The service
// ---------------------------------------------------------------------------------------------

/** One idempotent migration step: SQL text, or a function run in the migration's transaction. */
export type Migration = string | ((tx: Transaction) => Promise<void>);

/** What {@link startService} hands a `routes` function: the service's resources. */
export interface ServiceContext {
  /** The service's pool. */
  pool: Pool;
  logger: Logger;
  /** A {@link ReadCache} on the service's pool, started with the service and stopped by `close()`. */
  readCache<V>(options: ServiceReadCacheOptions<V>): ReadCacheHandle<V>;
  /** Runs `callback` when the service closes, after HTTP stopped and before the pool ends. */
  onClose(callback: () => void | Promise<void>): void;
}

/** What a service is made of, independent of where it runs: what a user's bootstrap returns. */
export interface ServiceDefinition {
  /** Service name for logs and the default Kafka client id. Default `new-service`. */
  name?: string;
  /** The consumers to run (each its own Kafka group, inbox rows and checkpoints). */
  consumers?: readonly AnyConsumer[];
  /** The user's idempotent migrations (`CREATE TABLE IF NOT EXISTS ...`), run in order after the kit's. */
  migrations?: readonly Migration[];
  /** The HTTP routes (`get(...)`, `post(...)`), or a function of the service's resources returning them. */
  routes?:
    readonly Route[] | ((context: ServiceContext) => readonly Route[] | Promise<readonly Route[]>);
  /** When `/status` says `ready`. */
  readiness?: ReadinessOptions;
  /** HTTP behaviour shared by every answer. */
  http?: HttpOptions;
}

/** Readiness, as `/status` reports it in `ready`. */
export interface ReadinessOptions {
  /** Most unapplied messages (summed over consumers) at which the service is still ready. Default 0. */
  maxLag?: number;
  /**
   * Also ready while no consumer is further behind than this many milliseconds (`behindMs`), however
   * many messages wait: under a steady writer the lag is never 0, but it stays this recent.
   * Default: not used (only `maxLag` decides).
   */
  maxBehindMs?: number;
}

/** Options of {@link startService}. */
export interface StartServiceOptions extends ServiceDefinition {
  /** URL of the service's OWN Postgres database. Required unless `pool` is given. */
  databaseUrl?: string;
  /** A pool to use instead of `databaseUrl`; `close()` does not end a pool it was given. */
  pool?: Pool;
  /** Kafka bootstrap servers, `host:port` each. Required when there are consumers. */
  kafkaBrokers?: readonly string[];
  /** Kafka client id, shown in broker logs. Default: the service name. */
  clientId?: string;
  /** HTTP port; 0 picks a free one. Default 3000. */
  port?: number;
  /** Interface to listen on. Default `0.0.0.0`. */
  host?: string;
  /** Logger (pino). Default: pino JSON on stdout at `info`. */
  logger?: Logger;
  /** Run the kit's and the user's migrations at start (idempotent, under an advisory lock). Default true. */
  migrate?: boolean;
  /** Maximum database connections of the pool made from `databaseUrl`. Default 10. */
  poolSize?: number;
  /** How long `close()` lets HTTP requests in flight finish before cutting them, in ms. Default 10000. */
  shutdownGraceMs?: number;
  /** Consume nothing: serve HTTP from the database as it is (a second reader). Default true. */
  consume?: boolean;
  /** Consumer tuning shared by every consumer; the defaults keep group joins and restarts fast. */
  consumer?: ConsumerTuning;
  /** Longest `/status` waits for Kafka and the database before saying why it has no figures, ms. Default 5000. */
  statusTimeoutMs?: number;
}

/** What {@link startService} resolves to once the HTTP port is bound. */
export interface RunningService {
  /** Base URL, e.g. `http://127.0.0.1:41237`. */
  readonly url: string;
  readonly port: number;
  /** Lag, readiness and counts per consumer, as `GET /status` reports them. */
  status(): Promise<ServiceStatus>;
  /** Applies dead letters again through their consumer's handler, oldest first. */
  replayDeadLetters(options?: ReplaySelection): Promise<ReplayResult[]>;
  /**
   * Rebuilds a consumer's projection from the start of its topic: stops it, refuses (`conflict`)
   * if other members still consume in its group, runs its `reset` and forgets its inbox rows,
   * checkpoints and dead letters in one transaction, then starts it again.
   */
  rebuild(consumer: string): Promise<RebuildResult>;
  /** Stops consuming (the batch in flight finishes its transaction), stops HTTP, ends the pool it made. */
  close(): Promise<void>;
}

/** `GET /status`: every consumer's lag, and whether the service is caught up and ready. */
export interface ServiceStatus {
  /** Sum of the consumers' lag; null when one could not be asked. */
  lag: number | null;
  /** The consumers' largest `behindMs`: how far behind in time; null when unknown. */
  behindMs: number | null;
  /** True when every consumer has applied every message written to its topic so far (lag 0). */
  caughtUp: boolean;
  /** True when `lag <= readiness.maxLag`, or `behindMs <= readiness.maxBehindMs` when that is set. */
  ready: boolean;
  consumers: ConsumerStatus[];
  /** Why figures are missing, when they are (`<consumer>: Kafka: ...`). */
  error?: string;
  /** When these figures were taken, ISO 8601 UTC. */
  checkedAt: string;
}

/** One consumer in {@link ServiceStatus}. */
export interface ConsumerStatus {
  name: string;
  topic: string;
  group: string;
  state: ConsumerState;
  partitions: PartitionStatus[];
  /** Sum of the partitions' lag; null when Kafka or the database could not be asked. */
  lag: number | null;
  /** The partitions' largest `behindMs`; null when unknown. */
  behindMs: number | null;
  caughtUp: boolean;
  /** Dead letters of this consumer no replay has taken into account. */
  deadLetters: number | null;
  /** Messages this instance processed since it started, by outcome. */
  messages: Record<ConsumeOutcome, number>;
  error?: string;
}

/**
 * `starting`, `running` (member of the group), `retrying` (a transient failure is being retried),
 * `rebuilding`, `stopped`, `disabled` (`consume: false`).
 */
export type ConsumerState =
  'starting' | 'running' | 'retrying' | 'rebuilding' | 'stopped' | 'disabled';

/** One partition in {@link ConsumerStatus}. */
export interface PartitionStatus {
  partition: number;
  /** Offset of the next message to apply, from the checkpoint table; null before the first one. */
  nextOffset: number | null;
  /** Offset the next message written to the partition will get. */
  highWatermark: number;
  /** Earliest offset still in the partition. */
  lowWatermark: number;
  /** Messages not applied yet: highWatermark - (nextOffset ?? lowWatermark). */
  lag: number;
  /**
   * How far behind in time: 0 with no lag; otherwise how long ago the newest applied message was
   * written to Kafka (an upper bound: after a quiet spell the first new message reads as far
   * behind until it is applied). null when lag > 0 and nothing was applied yet.
   */
  behindMs: number | null;
}

/** Which dead letters to replay. */
export interface ReplaySelection {
  /** Only this consumer's letters. Default: every consumer's. */
  consumer?: string;
  /** Only these dead letters (`strangler_dead_letter.id`). Default: every one waiting, oldest first. */
  ids?: readonly string[];
}

/** Options of {@link replayDeadLetters} (outside a running service, e.g. from the CLI). */
export interface ReplayOptions extends ReplaySelection {
  /** The service's database. Required unless `pool` is given. */
  databaseUrl?: string;
  /** A pool to use instead of `databaseUrl` (not ended). */
  pool?: Pool;
  /** The service's consumers: a letter is applied through its consumer's handler. */
  consumers: readonly AnyConsumer[];
  /** The user's migrations, run before replaying like at start. */
  migrations?: readonly Migration[];
  logger?: Logger;
}

/** What a replay did with one dead letter. */
export interface ReplayResult extends MessagePosition {
  /** The dead letter's id (`strangler_dead_letter.id`). */
  id: string;
  consumer: string;
  /** `applied`, `unchanged`, `stale`, `duplicate` (already taken into account), or `dead_lettered` again. */
  outcome: ConsumeOutcome;
  /** Why it failed again. */
  reason?: DeadLetterReason;
}

/** Options of {@link rebuildConsumer} (outside a running service, e.g. from the CLI). */
export interface RebuildOptions {
  databaseUrl?: string;
  pool?: Pool;
  kafkaBrokers: readonly string[];
  clientId?: string;
  /** The consumer to rebuild. */
  consumer: AnyConsumer;
  migrations?: readonly Migration[];
  logger?: Logger;
}

/** What a rebuild did. */
export interface RebuildResult {
  consumer: string;
  topic: string;
  group: string;
  /** Rows the rebuild removed. */
  removed: { inbox: number; checkpoints: number; deadLetters: number };
  /** The partitions it starts from; a `lowWatermark` above 0 means retention deleted events. */
  partitions: { partition: number; lowWatermark: number; highWatermark: number }[];
  /** True when some partition no longer starts at offset 0: the rebuilt state misses those events. */
  eventsDeletedByRetention: boolean;
}

// ---------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------

/** The parameter names of a route path, `'/a/:x/b/:y'` -> `'x' | 'y'`. */
export type RouteParamNames<P extends string> = P extends `${string}:${infer N}/${infer Rest}`
  ? N | RouteParamNames<`/${Rest}`>
  : P extends `${string}:${infer N}`
    ? N
    : never;

/** What a route handler gets. */
export interface RequestContext<P extends string = string> {
  method: string;
  /** The path as requested (not decoded), without the query. */
  path: string;
  /** The path parameters, percent-decoded. */
  params: { [K in RouteParamNames<P>]: string };
  /** The query as node:querystring parses it: a repeated name gives an array. */
  query: ParsedUrlQuery;
  headers: IncomingHttpHeaders;
  /** The caller's `x-request-id` when it is 1-200 printable ASCII characters, else a new UUID. */
  requestId: string;
  /** The service logger with the request id. */
  log: Logger;
  /** The service's pool. */
  pool: Pool;
  /** A bag shared with `http.finalizeReply` for this request. */
  locals: Record<string, unknown>;
  /** The request body parsed as JSON (up to `http.maxBodyBytes`); 400 when it is not JSON. */
  json(): Promise<unknown>;
  req: IncomingMessage;
  res: ServerResponse;
}

/**
 * A route handler. Its return value is answered as JSON with 200; `json(body, { status })` or
 * `text(...)` choose the status and headers; `undefined` answers 204. A thrown NewServiceError is
 * answered with its status and `{ message }`; a database that cannot be reached with 503.
 */
export type RouteHandler<P extends string = string> = (context: RequestContext<P>) => unknown;

/** A route made by `get`, `post`, `put`, `patch`, `del` or `route`. */
export interface Route {
  readonly method: string;
  readonly path: string;
  readonly handler: RouteHandler;
}

/** An answer before it is written; what `http.finalizeReply` may change. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  /** A JSON value, or the text of a text answer. */
  body: unknown;
  kind: 'json' | 'text' | 'empty';
}

/** What `http.finalizeReply` learns about the request. */
export interface ReplyInfo {
  method: string;
  path: string;
  requestId: string;
  /** The matched route; undefined for an unknown route. `builtin` for `/healthz` and `/status`. */
  route: { method: string; path: string; builtin: boolean } | undefined;
  locals: Record<string, unknown>;
}

/** HTTP behaviour shared by every answer. */
export interface HttpOptions {
  /**
   * Changes every answer before it is written (headers, body), errors and built-in routes
   * included, e.g. to add a timestamp header a legacy API sends.
   */
  finalizeReply?: (reply: Reply, info: ReplyInfo) => Reply | void;
  /** Largest request body `json()` reads, in bytes. Default 1 MiB. */
  maxBodyBytes?: number;
}

// ---------------------------------------------------------------------------------------------
// Read cache
// ---------------------------------------------------------------------------------------------

/** Options of a read cache made by `context.readCache(...)`. */
export interface ServiceReadCacheOptions<V> {
  /** The NOTIFY channel writers signal a changed key on (`tx.notify(channel, key)`); a Postgres identifier. */
  channel: string;
  /** Reads the value of a key from the database. */
  read: (key: string) => Promise<V>;
  /** False: every `get` reads the database (a switch for `--no-read-cache`). Default true. */
  enabled?: boolean;
  /** Most keys kept; the least recently read go first. Default 50,000. */
  maxEntries?: number;
  /** An entry older than this is read again even without a notification, ms. Default 60,000. */
  maxAgeMs?: number;
}

/** A read cache: `get(key)` answers from memory until a notification for the key arrives. */
export interface ReadCacheHandle<V> {
  get(key: string): Promise<V>;
  /** True while it listens; without a listener nothing is cached. */
  readonly listening: boolean;
}

// ---------------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------------

/** A flag of the user's own, next to the kit's common ones. */
export type CliOption =
  | {
      type: 'string';
      /** The flag without dashes, e.g. `topic` for `--topic`. */
      flag: string;
      /** The environment variable, e.g. `ORDERS_TOPIC`. */
      env?: string;
      default?: string;
      /** One line for `--help`. */
      description: string;
    }
  | {
      type: 'integer';
      flag: string;
      env?: string;
      default?: number;
      min?: number;
      max?: number;
      description: string;
    }
  | {
      /** `--<flag>` sets true, `--no-<flag>` false; the variable takes on/off, true/false, 1/0, yes/no. */
      type: 'boolean';
      flag: string;
      env?: string;
      default: boolean;
      description: string;
    };

/** The values of the user's flags, typed by their declarations. */
export type CliValues<O extends Record<string, CliOption>> = {
  [K in keyof O]: O[K] extends { type: 'boolean' }
    ? boolean
    : O[K] extends { type: 'integer'; default: number }
      ? number
      : O[K] extends { type: 'integer' }
        ? number | undefined
        : O[K] extends { default: string }
          ? string
          : string | undefined;
};

/** The settings the CLI read, handed to the user's `service` function. */
export interface CliConfig<V = Record<string, unknown>> {
  command: 'serve' | 'replay-dead-letters' | 'rebuild';
  databaseUrl: string;
  /** Empty for `replay-dead-letters`, which needs no Kafka. */
  kafkaBrokers: string[];
  clientId: string | undefined;
  port: number;
  host: string;
  poolSize: number;
  logLevel: string;
  /** `--readiness-max-lag` when given; otherwise the service's `readiness.maxLag` applies. */
  readinessMaxLag: number | undefined;
  /** `--readiness-max-behind-ms` when given; otherwise `readiness.maxBehindMs` applies. */
  readinessMaxBehindMs: number | undefined;
  /** `replay-dead-letters --id`. */
  ids: string[] | undefined;
  /** `replay-dead-letters --consumer`, or the consumer of `rebuild <consumer>`. */
  consumer: string | undefined;
  /** The user's own flags. */
  options: V;
}

/** Options of {@link runServiceCli}. */
export interface ServiceCliOptions<O extends Record<string, CliOption> = Record<string, never>> {
  /** Program name, the prefix of error lines, e.g. `orders-service`. */
  name: string;
  /** One line for `--help`. */
  description: string;
  /** Flags of the user's own, by the name they get in `config.options`. */
  options?: O;
  /** Defaults of the kit's settings (`port` 3000, `host` 0.0.0.0, `poolSize` 10). */
  defaults?: { port?: number; host?: string; poolSize?: number; clientId?: string };
  /** Builds the service from the settings (the composition root). */
  service: (config: CliConfig<CliValues<O>>) => ServiceDefinition | Promise<ServiceDefinition>;
}
