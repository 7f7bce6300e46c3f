import pino from 'pino';
import { LegacyAdapterError } from './errors.js';
import { allocationMapper } from './mapping/allocation-mapper.js';
import type { Mapper } from './mapping/mapper.js';
import type { AdapterOptions, Logger } from './types.js';

export interface ResolvedOptions {
  databaseUrl: string;
  kafkaBrokers: string[];
  topic: string;
  slot: string;
  publication: string;
  source: string;
  mapper: Mapper;
  alterReplicaIdentity: boolean;
  resnapshot: boolean;
  skipOrigins: string[];
  maxBatchEvents: number;
  maxBatchBytes: number;
  maxQueuedEvents: number;
  statusIntervalMs: number;
  clientId: string;
  logger: Logger;
}

const SLOT_NAME = /^[a-z0-9_]{1,63}$/;
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;
const BROKER = /^[^\s:/]+:\d{1,5}$/;

/** Fills defaults and rejects bad options with a message naming the option and the value. */
export function resolveOptions(o: AdapterOptions): ResolvedOptions {
  const bad = (field: string, why: string, value: unknown) =>
    new LegacyAdapterError('INVALID_CONFIG', `${field} ${why}; got ${JSON.stringify(value)}`);
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
  const topic = o.topic ?? 'allocation.events';
  if (!TOPIC_NAME.test(topic))
    throw bad('topic', 'must be 1-249 characters of a-z A-Z 0-9 . _ - (Kafka topic rules)', topic);
  const publication = o.publication ?? 'strangler_adapter';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(publication))
    throw bad('publication', 'must be a lower-case identifier', publication);
  const positive = (field: string, value: number | undefined, fallback: number) => {
    const v = value ?? fallback;
    if (!Number.isInteger(v) || v < 1) throw bad(field, 'must be a positive integer', value);
    return v;
  };
  return {
    databaseUrl: o.databaseUrl,
    kafkaBrokers: o.kafkaBrokers,
    topic,
    slot,
    publication,
    source: o.source ?? `/strangler/legacy-adapter/${slot}`,
    mapper: o.mapper ?? allocationMapper,
    alterReplicaIdentity: o.alterReplicaIdentity ?? false,
    resnapshot: o.resnapshot ?? false,
    skipOrigins: o.skipOrigins ?? ['strangler_writeback'],
    maxBatchEvents: positive('maxBatchEvents', o.maxBatchEvents, 1000),
    maxBatchBytes: positive('maxBatchBytes', o.maxBatchBytes, 900_000),
    maxQueuedEvents: positive('maxQueuedEvents', o.maxQueuedEvents, 20_000),
    statusIntervalMs: positive('statusIntervalMs', o.statusIntervalMs, 10_000),
    clientId: o.clientId ?? 'strangler-legacy-adapter',
    logger: o.logger ?? pino({ name: 'legacy-adapter' }),
  };
}
