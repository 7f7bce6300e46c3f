import { deterministicEventId, isCatalog, type AnyCatalog } from '@strangler/event-schemas';
import pino from 'pino';
import { LegacyAdapterError } from './errors.js';
import { checkMapper, type CheckedMapper } from './mapping/define-mapper.js';
import type { AdapterOptions, Logger } from './types.js';

export interface ResolvedOptions {
  catalog: AnyCatalog;
  mapper: CheckedMapper;
  databaseUrl: string;
  kafkaBrokers: string[];
  topic: string;
  deadLetterTopic: string;
  onMappingError: 'stop' | 'dead-letter';
  onTruncate: 'stop' | 'skip';
  slot: string;
  publication: string;
  source: string;
  alterReplicaIdentity: boolean;
  resnapshot: boolean;
  skipOrigins: string[];
  maxBatchEvents: number;
  lingerMs: number;
  maxBatchBytes: number;
  maxQueuedEvents: number;
  statusIntervalMs: number;
  publishTimeoutMs: number;
  clientId: string;
  logger: Logger;
}

const SLOT_NAME = /^[a-z0-9_]{1,63}$/;
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;
const BROKER = /^[^\s:/]+:\d{1,5}$/;
const TOPIC_RULES = 'must be 1-249 characters of a-z A-Z 0-9 . _ - (Kafka topic rules)';

const bad = (field: string, why: string, value: unknown) =>
  new LegacyAdapterError('INVALID_CONFIG', `${field} ${why}; got ${JSON.stringify(value)}`);

function oneOf<T extends string>(
  field: string,
  value: unknown,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) throw bad(field, `must be ${allowed.join(' or ')}`, value);
  return value as T;
}

function lingerMs(value: number | undefined): number {
  if (value === undefined) return 5;
  if (!Number.isInteger(value) || value < 0 || value > 1000) {
    throw bad('lingerMs', 'must be a whole number of ms from 0 to 1000', value);
  }
  return value;
}

/** Fills defaults and rejects bad options with a message naming the option and the value. */
export function resolveOptions(o: AdapterOptions): ResolvedOptions {
  if (typeof o !== 'object' || o === null) throw bad('options', 'must be an object', o);
  if (!isCatalog(o.catalog)) {
    throw new LegacyAdapterError(
      'INVALID_CONFIG',
      'catalog is required: the event catalog made with defineCatalog (@strangler/event-schemas)',
    );
  }
  if (o.mapper === undefined) {
    throw new LegacyAdapterError(
      'INVALID_CONFIG',
      'mapper is required: your anti-corruption layer, made with defineMapper(catalog, { tables, mapChange })',
    );
  }
  const mapper = checkMapper(o.mapper);
  if (o.topic === undefined) {
    throw new LegacyAdapterError(
      'INVALID_CONFIG',
      'topic is required: the Kafka topic the events go to',
    );
  }
  if (typeof o.topic !== 'string' || !TOPIC_NAME.test(o.topic))
    throw bad('topic', TOPIC_RULES, o.topic);
  if (typeof o.databaseUrl !== 'string' || !/^postgres(ql)?:\/\//.test(o.databaseUrl)) {
    throw bad(
      'databaseUrl',
      'must be a postgres:// connection string',
      o.databaseUrl === undefined ? undefined : '<redacted>',
    );
  }
  if (
    !Array.isArray(o.kafkaBrokers) ||
    o.kafkaBrokers.length === 0 ||
    !o.kafkaBrokers.every((b) => BROKER.test(b))
  ) {
    throw bad('kafkaBrokers', 'must be a non-empty list of host:port', o.kafkaBrokers);
  }
  const slot = o.slot ?? 'strangler_adapter';
  if (!SLOT_NAME.test(slot))
    throw bad(
      'slot',
      'must be 1-63 lower-case letters, digits or underscores (Postgres slot name rules)',
      slot,
    );
  const publication = o.publication ?? 'strangler_adapter';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(publication))
    throw bad('publication', 'must be a lower-case identifier', publication);
  const onMappingError = oneOf('onMappingError', o.onMappingError, ['stop', 'dead-letter'], 'stop');
  const onTruncate = oneOf('onTruncate', o.onTruncate, ['stop', 'skip'], 'stop');
  const deadLetterTopic = o.deadLetterTopic ?? `${o.topic}.dead-letters`;
  if (!TOPIC_NAME.test(deadLetterTopic)) throw bad('deadLetterTopic', TOPIC_RULES, deadLetterTopic);
  if (deadLetterTopic === o.topic) {
    throw bad(
      'deadLetterTopic',
      'must differ from topic (dead letters are not events)',
      deadLetterTopic,
    );
  }
  const source = o.source ?? `/strangler/legacy-adapter/${slot}`;
  try {
    deterministicEventId(source, '0/0', 0);
  } catch {
    throw bad(
      'source',
      'must be a URI-reference such as /legacy/postgres/shop (CloudEvents source)',
      source,
    );
  }
  const positive = (field: string, value: number | undefined, fallback: number) => {
    const v = value ?? fallback;
    if (!Number.isInteger(v) || v < 1) throw bad(field, 'must be a positive integer', value);
    return v;
  };
  return {
    catalog: o.catalog,
    mapper,
    databaseUrl: o.databaseUrl,
    kafkaBrokers: o.kafkaBrokers,
    topic: o.topic,
    deadLetterTopic,
    onMappingError,
    onTruncate,
    slot,
    publication,
    source,
    alterReplicaIdentity: o.alterReplicaIdentity ?? false,
    resnapshot: o.resnapshot ?? false,
    skipOrigins: o.skipOrigins ?? ['strangler_writeback'],
    maxBatchEvents: positive('maxBatchEvents', o.maxBatchEvents, 1000),
    maxBatchBytes: positive('maxBatchBytes', o.maxBatchBytes, 900_000),
    lingerMs: lingerMs(o.lingerMs),
    maxQueuedEvents: positive('maxQueuedEvents', o.maxQueuedEvents, 20_000),
    statusIntervalMs: positive('statusIntervalMs', o.statusIntervalMs, 10_000),
    publishTimeoutMs: positive('publishTimeoutMs', o.publishTimeoutMs, 30_000),
    clientId: o.clientId ?? 'strangler-legacy-adapter',
    logger: o.logger ?? pino({ name: 'legacy-adapter' }),
  };
}
