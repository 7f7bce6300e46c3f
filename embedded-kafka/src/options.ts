import { isIP } from 'node:net';
import { EmbeddedKafkaError } from './errors.js';
import { leveledLogger } from './logger.js';
import type { BrokerOptions, LogLevel, Logger } from './types.js';

export interface ResolvedOptions {
  port: number;
  host: string;
  advertisedHost: string;
  dataDir: string | undefined;
  fsyncIntervalMs: number;
  partitions: number;
  autoCreateTopics: boolean;
  maxMessageBytes: number;
  maxRequestBytes: number;
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  initialRebalanceDelayMs: number;
  maxOffsetMetadataBytes: number;
  nodeId: number;
  clusterId: string | undefined;
  logger: Logger;
}

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

/** Fills defaults and rejects nonsense with a message naming the option and the value. */
export function resolveOptions(o: BrokerOptions = {}): ResolvedOptions {
  const int = (
    name: keyof BrokerOptions,
    value: number | undefined,
    fallback: number,
    min: number,
    max = Number.MAX_SAFE_INTEGER,
  ) => {
    const v = value ?? fallback;
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new EmbeddedKafkaError(
        'INVALID_OPTION',
        `${name} must be an integer from ${min} to ${max}; got ${String(value)}`,
      );
    }
    return v;
  };
  const logLevel = o.logLevel ?? 'info';
  if (!LEVELS.includes(logLevel)) {
    throw new EmbeddedKafkaError(
      'INVALID_OPTION',
      `logLevel must be one of ${LEVELS.join(', ')}; got ${String(logLevel)}`,
    );
  }
  const host = o.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host === '')
    throw new EmbeddedKafkaError(
      'INVALID_OPTION',
      `host must be a non-empty string; got ${String(host)}`,
    );
  const wildcard = host === '0.0.0.0' || host === '::';
  const advertisedHost = o.advertisedHost ?? (wildcard ? '127.0.0.1' : host);
  if (
    typeof advertisedHost !== 'string' ||
    advertisedHost === '' ||
    (isIP(advertisedHost) === 0 && /[\s/:]/.test(advertisedHost))
  ) {
    throw new EmbeddedKafkaError(
      'INVALID_OPTION',
      `advertisedHost must be a host name or IP address; got ${String(advertisedHost)}`,
    );
  }
  if (o.dataDir !== undefined && (typeof o.dataDir !== 'string' || o.dataDir === '')) {
    throw new EmbeddedKafkaError(
      'INVALID_OPTION',
      `dataDir must be a directory path; got ${String(o.dataDir)}`,
    );
  }
  const minSessionTimeoutMs = int('minSessionTimeoutMs', o.minSessionTimeoutMs, 6000, 1);
  const maxSessionTimeoutMs = int('maxSessionTimeoutMs', o.maxSessionTimeoutMs, 1_800_000, 1);
  if (minSessionTimeoutMs > maxSessionTimeoutMs) {
    throw new EmbeddedKafkaError(
      'INVALID_OPTION',
      `minSessionTimeoutMs (${minSessionTimeoutMs}) is above maxSessionTimeoutMs (${maxSessionTimeoutMs})`,
    );
  }
  return {
    port: int('port', o.port, 9092, 0, 65535),
    host,
    advertisedHost,
    dataDir: o.dataDir,
    fsyncIntervalMs: int('fsyncIntervalMs', o.fsyncIntervalMs, 1000, 0),
    partitions: int('partitions', o.partitions, 1, 1, 100_000),
    autoCreateTopics: o.autoCreateTopics ?? true,
    maxMessageBytes: int('maxMessageBytes', o.maxMessageBytes, 1_048_588, 128),
    maxRequestBytes: int('maxRequestBytes', o.maxRequestBytes, 104_857_600, 1024),
    minSessionTimeoutMs,
    maxSessionTimeoutMs,
    initialRebalanceDelayMs: int('initialRebalanceDelayMs', o.initialRebalanceDelayMs, 0, 0),
    maxOffsetMetadataBytes: int('maxOffsetMetadataBytes', o.maxOffsetMetadataBytes, 4096, 0),
    nodeId: int('nodeId', o.nodeId, 0, 0, 2 ** 31 - 1),
    clusterId: o.clusterId,
    logger: leveledLogger(logLevel, o.logger),
  };
}
