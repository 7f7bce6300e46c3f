import type { Pool } from 'pg';
import { isConsumer } from './consumer/define-consumer.js';
import { configError } from './errors.js';
import type {
  AnyConsumer,
  ConsumerTuning,
  HttpOptions,
  Migration,
  ServiceDefinition,
  StartServiceOptions,
} from './types.js';

export const DEFAULTS = {
  name: 'new-service',
  port: 3000,
  host: '0.0.0.0',
  poolSize: 10,
  shutdownGraceMs: 10_000,
  statusTimeoutMs: 5000,
  maxBodyBytes: 1024 * 1024,
} as const;

export const DEFAULT_TUNING: Required<ConsumerTuning> = {
  // Kafka's lowest by default (group.min.session.timeout.ms): after a crash, a restarted instance
  // waits this long for the dead member to be dropped (a clean stop leaves the group at once).
  sessionTimeoutMs: 6000,
  heartbeatIntervalMs: 1000,
  maxWaitTimeMs: 200,
  partitionsConsumedConcurrently: 3,
  maxBatchMessages: 500,
  retryInitialMs: 200,
  retryMaxMs: 5000,
  kafkaCommitIntervalMs: 5000,
};

export interface ResolvedOptions {
  name: string;
  databaseUrl: string | undefined;
  pool: Pool | undefined;
  kafkaBrokers: string[];
  clientId: string;
  consumers: AnyConsumer[];
  migrations: Migration[];
  routes: ServiceDefinition['routes'];
  maxLag: number;
  maxBehindMs: number | undefined;
  http: HttpOptions;
  port: number;
  host: string;
  migrate: boolean;
  consume: boolean;
  poolSize: number;
  shutdownGraceMs: number;
  statusTimeoutMs: number;
  tuning: Required<ConsumerTuning>;
}

const BROKER = /^[^:\s,]+:\d{1,5}$/;

/** Checks every option and fills the defaults; a `config` error names the option and the value. */
export function resolveOptions(options: StartServiceOptions): ResolvedOptions {
  const { databaseUrl, pool } = options;
  if (pool === undefined) {
    if (typeof databaseUrl !== 'string' || databaseUrl === '') {
      throw configError(
        "databaseUrl is required (the service's own Postgres database) unless a pool is given",
      );
    }
    checkDatabaseUrl(databaseUrl);
  }
  const consumers = checkConsumers(options.consumers ?? []);
  const consume = options.consume ?? true;
  const brokers = (options.kafkaBrokers ?? []) as unknown;
  if (!Array.isArray(brokers) || (consumers.length > 0 && brokers.length === 0)) {
    throw configError('kafkaBrokers is required: a list of host:port, e.g. ["localhost:9092"]');
  }
  for (const broker of brokers) {
    if (typeof broker !== 'string' || !BROKER.test(broker)) {
      throw configError(`kafkaBrokers: "${String(broker)}" is not host:port (e.g. localhost:9092)`);
    }
  }
  const migrations = [...(options.migrations ?? [])];
  migrations.forEach((step, i) => {
    if (typeof step !== 'string' && typeof step !== 'function') {
      throw configError(`migrations[${i}] must be SQL text or a function (tx) => Promise<void>`);
    }
  });
  const routes = options.routes;
  if (routes !== undefined && typeof routes !== 'function' && !Array.isArray(routes)) {
    throw configError(
      'routes must be a list of get(...)/post(...) routes or a function returning one',
    );
  }
  const tuning = { ...DEFAULT_TUNING };
  for (const [name, value] of Object.entries(options.consumer ?? {})) {
    if (!(name in DEFAULT_TUNING)) throw configError(`consumer.${name} is not a consumer option`);
    if (value === undefined) continue;
    tuning[name as keyof ConsumerTuning] = integer(value, `consumer.${name}`, 1, 3_600_000);
  }
  const name = nonEmpty(options.name ?? DEFAULTS.name, 'name');
  const http = options.http ?? {};
  return {
    name,
    databaseUrl,
    pool,
    kafkaBrokers: brokers as string[],
    clientId: nonEmpty(options.clientId ?? name, 'clientId'),
    consumers,
    migrations,
    routes,
    maxLag: integer(options.readiness?.maxLag ?? 0, 'readiness.maxLag', 0, Number.MAX_SAFE_INTEGER),
    maxBehindMs:
      options.readiness?.maxBehindMs === undefined
        ? undefined
        : integer(
            options.readiness.maxBehindMs,
            'readiness.maxBehindMs',
            0,
            Number.MAX_SAFE_INTEGER,
          ),
    http: {
      ...http,
      maxBodyBytes: integer(
        http.maxBodyBytes ?? DEFAULTS.maxBodyBytes,
        'http.maxBodyBytes',
        0,
        2 ** 31,
      ),
    },
    port: integer(options.port ?? DEFAULTS.port, 'port', 0, 65_535),
    host: nonEmpty(options.host ?? DEFAULTS.host, 'host'),
    migrate: options.migrate ?? true,
    consume,
    poolSize: integer(options.poolSize ?? DEFAULTS.poolSize, 'poolSize', 1, 1000),
    shutdownGraceMs: integer(
      options.shutdownGraceMs ?? DEFAULTS.shutdownGraceMs,
      'shutdownGraceMs',
      0,
      3_600_000,
    ),
    statusTimeoutMs: integer(
      options.statusTimeoutMs ?? DEFAULTS.statusTimeoutMs,
      'statusTimeoutMs',
      1,
      600_000,
    ),
    tuning,
  };
}

/** Each a defineConsumer result, names and groups unique in the service. */
export function checkConsumers(list: readonly unknown[]): AnyConsumer[] {
  if (!Array.isArray(list)) throw configError('consumers must be a list of defineConsumer(...)');
  const names = new Set<string>();
  const groups = new Map<string, string>();
  for (const [i, consumer] of list.entries()) {
    if (!isConsumer(consumer)) throw configError(`consumers[${i}] is not made by defineConsumer`);
    if (names.has(consumer.name)) {
      throw configError(`two consumers are named "${consumer.name}": names key their rows`);
    }
    names.add(consumer.name);
    const other = groups.get(consumer.group);
    if (other !== undefined) {
      throw configError(
        `consumers "${other}" and "${consumer.name}" share the Kafka group "${consumer.group}": give each its own group`,
      );
    }
    groups.set(consumer.group, consumer.name);
  }
  return list as AnyConsumer[];
}

/** Throws a `config` error unless `url` is a postgres:// or postgresql:// URL. */
export function checkDatabaseUrl(url: string, name = 'databaseUrl'): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw configError(`${name} must be a URL such as postgres://user:password@host:5432/service`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw configError(
      `${name} must start with postgres:// or postgresql://, got ${parsed.protocol}//`,
    );
  }
}

/** Where the database is, never the password. */
export function databaseWhere(databaseUrl: string | undefined): Record<string, string> | undefined {
  if (!databaseUrl) return undefined;
  const url = new URL(databaseUrl);
  return {
    host: url.hostname || 'localhost',
    port: url.port || '5432',
    database: decodeURIComponent(url.pathname.slice(1)),
    user: decodeURIComponent(url.username),
  };
}

export function integer(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw configError(
      `${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function nonEmpty(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw configError(`${name} must be a non-empty string, got ${JSON.stringify(value)}`);
  }
  return value;
}
