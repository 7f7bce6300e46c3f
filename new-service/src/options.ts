import type { Pool } from 'pg';
import { configError } from './errors.js';
import type { ConsumerTuning, NewServiceOptions } from './types.js';

export const DEFAULTS = {
  topic: 'allocation.events',
  group: 'new-service',
  clientId: 'strangler-new-service',
  port: 3001,
  host: '0.0.0.0',
  poolSize: 10,
  shutdownGraceMs: 10_000,
} as const;

export const DEFAULT_TUNING: Required<ConsumerTuning> = {
  sessionTimeoutMs: 10_000,
  heartbeatIntervalMs: 1000,
  maxWaitTimeMs: 200,
  partitionsConsumedConcurrently: 3,
  maxBatchMessages: 500,
  retryInitialMs: 200,
  retryMaxMs: 5000,
  kafkaCommitIntervalMs: 5000,
};

export interface ResolvedOptions {
  databaseUrl: string | undefined;
  pool: Pool | undefined;
  kafkaBrokers: string[];
  topic: string;
  group: string;
  clientId: string;
  port: number;
  host: string;
  migrate: boolean;
  consume: boolean;
  readCache: boolean;
  poolSize: number;
  shutdownGraceMs: number;
  tuning: Required<ConsumerTuning>;
}

const BROKER = /^[^:\s,]+:\d{1,5}$/;
// Kafka's own rule for topic names.
const TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

/** Checks every option and fills the defaults; a `config` error names the option and the value. */
export function resolveOptions(options: NewServiceOptions): ResolvedOptions {
  const { databaseUrl, pool } = options;
  if (pool === undefined) {
    if (typeof databaseUrl !== 'string' || databaseUrl === '') {
      throw configError(
        "databaseUrl is required (the service's own Postgres database) unless a pool is given",
      );
    }
    checkDatabaseUrl(databaseUrl);
  }
  const brokers = options.kafkaBrokers as unknown;
  if (!Array.isArray(brokers) || brokers.length === 0) {
    throw configError('kafkaBrokers is required: a list of host:port, e.g. ["localhost:9092"]');
  }
  for (const broker of brokers) {
    if (typeof broker !== 'string' || !BROKER.test(broker)) {
      throw configError(`kafkaBrokers: "${String(broker)}" is not host:port (e.g. localhost:9092)`);
    }
  }
  const topic = options.topic ?? DEFAULTS.topic;
  if (!TOPIC.test(topic)) {
    throw configError(`topic "${topic}" is not a Kafka topic name (1-249 of a-z A-Z 0-9 . _ -)`);
  }
  const tuning = { ...DEFAULT_TUNING };
  for (const [name, value] of Object.entries(options.consumer ?? {})) {
    if (!(name in DEFAULT_TUNING)) throw configError(`consumer.${name} is not a consumer option`);
    if (value === undefined) continue;
    tuning[name as keyof ConsumerTuning] = integer(value, `consumer.${name}`, 1, 3_600_000);
  }
  return {
    databaseUrl,
    pool,
    kafkaBrokers: brokers as string[],
    topic,
    group: nonEmpty(options.group ?? DEFAULTS.group, 'group'),
    clientId: nonEmpty(options.clientId ?? DEFAULTS.clientId, 'clientId'),
    port: integer(options.port ?? DEFAULTS.port, 'port', 0, 65_535),
    host: nonEmpty(options.host ?? DEFAULTS.host, 'host'),
    migrate: options.migrate ?? true,
    consume: options.consume ?? true,
    readCache: options.readCache ?? true,
    poolSize: integer(options.poolSize ?? DEFAULTS.poolSize, 'poolSize', 1, 1000),
    shutdownGraceMs: integer(
      options.shutdownGraceMs ?? DEFAULTS.shutdownGraceMs,
      'shutdownGraceMs',
      0,
      3_600_000,
    ),
    tuning,
  };
}

/** Throws a `config` error unless `url` is a postgres:// or postgresql:// URL. */
export function checkDatabaseUrl(url: string, name = 'databaseUrl'): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw configError(
      `${name} must be a URL such as postgres://user:password@host:5432/newservice`,
    );
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw configError(
      `${name} must start with postgres:// or postgresql://, got ${parsed.protocol}//`,
    );
  }
}

function integer(value: unknown, name: string, min: number, max: number): number {
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
