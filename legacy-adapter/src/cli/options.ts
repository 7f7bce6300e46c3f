import { parseArgs } from 'node:util';
import { LegacyAdapterError } from '../errors.js';

/** The command line and environment, checked. */
export interface CliOptions {
  help: boolean;
  catalog: string;
  /** A mapper module, or undefined in outbox mode. */
  mapper: string | undefined;
  /** Outbox mode: the outbox table, schema-qualified. */
  outbox: string | undefined;
  topic: string;
  databaseUrl: string;
  kafkaBrokers: string[];
  onMappingError: 'stop' | 'dead-letter';
  deadLetterTopic: string | undefined;
  onTruncate: 'stop' | 'skip';
  slot: string | undefined;
  publication: string | undefined;
  source: string | undefined;
  skipOrigins: string[] | undefined;
  alterReplicaIdentity: boolean;
  resnapshot: boolean;
  statusPort: number | undefined;
  publishTimeoutMs: number | undefined;
  lingerMs: number | undefined;
  statusHost: string;
  logLevel: string;
}

const invalid = (message: string) => new LegacyAdapterError('INVALID_CONFIG', message);
const list = (value: string) =>
  value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);

function choice<T extends string>(flag: string, value: string | undefined, allowed: T[]): T {
  if (value === undefined || value === '') return allowed[0]!;
  if (!allowed.includes(value as T)) {
    throw invalid(`${flag} must be ${allowed.join(' or ')}; got ${JSON.stringify(value)}`);
  }
  return value as T;
}

function port(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0 || n > 65535)
    throw invalid(`--status-port must be a port number (0-65535); got ${JSON.stringify(value)}`);
  return n;
}

function milliseconds(flag: string, value: string | undefined, min = 1): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min) {
    const what = min === 0 ? 'a whole number of ms (0 or more)' : 'a positive whole number of ms';
    throw invalid(`${flag} must be ${what}; got ${JSON.stringify(value)}`);
  }
  return n;
}

/** `--mapper FILE` or `--outbox TABLE`, exactly one. */
function mapperOrOutbox(mapper: string | undefined, outbox: string | undefined) {
  if (mapper && outbox) {
    throw invalid(
      '--mapper and --outbox are both set: give --mapper for row changes or --outbox for an outbox table, not both',
    );
  }
  if (!mapper && !outbox) {
    throw invalid(
      'the mapper is not set: pass --mapper (a module exporting defineMapper(...)) or --outbox TABLE, or set STRANGLER_MAPPER or STRANGLER_OUTBOX',
    );
  }
  if (outbox !== undefined && !/^[^.\s]+\.[^.\s]+$/.test(outbox)) {
    throw invalid(
      `--outbox must name a table with its schema, e.g. public.strangler_outbox; got ${JSON.stringify(outbox)}`,
    );
  }
  return { mapper, outbox };
}

export function parseCli(args: string[], env: NodeJS.ProcessEnv): CliOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        catalog: { type: 'string' },
        mapper: { type: 'string' },
        outbox: { type: 'string' },
        topic: { type: 'string' },
        'database-url': { type: 'string' },
        'kafka-brokers': { type: 'string' },
        'on-mapping-error': { type: 'string' },
        'dead-letter-topic': { type: 'string' },
        'on-truncate': { type: 'string' },
        slot: { type: 'string' },
        publication: { type: 'string' },
        source: { type: 'string' },
        'skip-origins': { type: 'string' },
        'alter-replica-identity': { type: 'boolean' },
        resnapshot: { type: 'boolean' },
        'status-port': { type: 'string' },
        'publish-timeout-ms': { type: 'string' },
        'linger-ms': { type: 'string' },
        'status-host': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    throw invalid(`${(e as Error).message} (see --help)`);
  }
  const pick = (flag: string, ...vars: string[]) =>
    (values as Record<string, string | undefined>)[flag] ||
    vars.map((v) => env[v]).find((v) => v !== undefined && v !== '');
  const need = (flag: string, what: string, ...vars: string[]) => {
    const value = pick(flag, ...vars);
    if (!value) throw invalid(`${what} is not set: pass --${flag} or set ${vars.join(' or ')}`);
    return value;
  };
  const help = values.help ?? false;
  if (help) return { help } as CliOptions;
  const statusPort = pick('status-port', 'STRANGLER_ADAPTER_STATUS_PORT');
  const skipOrigins = pick('skip-origins', 'STRANGLER_SKIP_ORIGINS');
  return {
    help,
    databaseUrl: need('database-url', 'the legacy database', 'LEGACY_DATABASE_URL', 'DATABASE_URL'),
    kafkaBrokers: list(need('kafka-brokers', 'Kafka', 'KAFKA_BROKERS')),
    catalog: need(
      'catalog',
      'the event catalog (a module exporting defineCatalog(...))',
      'STRANGLER_CATALOG',
    ),
    ...mapperOrOutbox(pick('mapper', 'STRANGLER_MAPPER'), pick('outbox', 'STRANGLER_OUTBOX')),
    topic: need('topic', 'the events topic', 'STRANGLER_EVENTS_TOPIC'),
    onMappingError: choice(
      '--on-mapping-error',
      pick('on-mapping-error', 'STRANGLER_ON_MAPPING_ERROR'),
      ['stop', 'dead-letter'],
    ),
    deadLetterTopic: pick('dead-letter-topic', 'STRANGLER_DEAD_LETTER_TOPIC'),
    onTruncate: choice('--on-truncate', pick('on-truncate', 'STRANGLER_ON_TRUNCATE'), [
      'stop',
      'skip',
    ]),
    slot: pick('slot', 'STRANGLER_SLOT'),
    publication: pick('publication', 'STRANGLER_PUBLICATION'),
    source: pick('source', 'STRANGLER_SOURCE'),
    skipOrigins: skipOrigins === undefined ? undefined : list(skipOrigins),
    alterReplicaIdentity: values['alter-replica-identity'] ?? false,
    resnapshot: values.resnapshot ?? false,
    statusPort: statusPort === undefined ? undefined : port(statusPort),
    publishTimeoutMs: milliseconds(
      '--publish-timeout-ms',
      pick('publish-timeout-ms', 'STRANGLER_PUBLISH_TIMEOUT_MS'),
    ),
    lingerMs: milliseconds('--linger-ms', pick('linger-ms', 'STRANGLER_LINGER_MS'), 0),
    statusHost: pick('status-host', 'STRANGLER_ADAPTER_STATUS_HOST') ?? '127.0.0.1',
    logLevel: pick('log-level', 'LOG_LEVEL') ?? 'info',
  };
}
