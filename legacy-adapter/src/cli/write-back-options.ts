import { parseArgs } from 'node:util';
import { LegacyAdapterError } from '../errors.js';

/** `strangler-write-back`'s command line and environment, checked. */
export interface WriteBackCliOptions {
  help: boolean;
  catalog: string;
  mapping: string;
  topic: string;
  databaseUrl: string;
  kafkaBrokers: string[];
  sources: string[] | undefined;
  origin: string | undefined;
  groupId: string | undefined;
  statusPort: number | undefined;
  statusHost: string | undefined;
  logLevel: string;
}

export const WRITE_BACK_HELP = `Usage: strangler-write-back --catalog FILE --mapping FILE --topic NAME [options]

Applies the new service's events (its outbox, published to Kafka) to the legacy database with
your write-back mapping, exactly once, under a replication origin the capture skips.

  --catalog FILE         module exporting the service's event catalog [STRANGLER_CATALOG]
  --mapping FILE         module exporting defineWriteBack(catalog, { apply }), as default export
                         or "writeBack" [STRANGLER_WRITE_BACK]
  --topic NAME           topic of the service's events [STRANGLER_SERVICE_EVENTS_TOPIC]
  --database-url URL     the legacy database [LEGACY_DATABASE_URL, then DATABASE_URL]
  --kafka-brokers LIST   host:port,... [KAFKA_BROKERS]
  --sources LIST         only events of these CloudEvents sources (default: all)
                         [STRANGLER_WRITE_BACK_SOURCES]
  --origin NAME          replication origin prefix (default strangler_writeback)
                         [STRANGLER_WRITE_BACK_ORIGIN]
  --group ID             Kafka consumer group (default strangler-writeback)
                         [STRANGLER_WRITE_BACK_GROUP]
  --status-port N        serve GET /healthz, /status and /applied (the proxy's write barrier)
                         [STRANGLER_WRITE_BACK_STATUS_PORT]
  --status-host HOST     interface of the status port (default 127.0.0.1)
                         [STRANGLER_WRITE_BACK_STATUS_HOST]
  --log-level LEVEL      pino level (default info) [LOG_LEVEL]
  -h, --help             show this help

Exit codes: 0 stopped by SIGINT/SIGTERM; 1 Kafka unreachable at start; 2 bad configuration or
module. A failing event is retried, never skipped: the process stays up and logs it.
`;

const invalid = (message: string) => new LegacyAdapterError('INVALID_CONFIG', message);
const list = (value: string) =>
  value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);

function port(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0 || n > 65535) {
    throw invalid(`--status-port must be a port number (0-65535); got ${JSON.stringify(value)}`);
  }
  return n;
}

export function parseWriteBackCli(args: string[], env: NodeJS.ProcessEnv): WriteBackCliOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        catalog: { type: 'string' },
        mapping: { type: 'string' },
        topic: { type: 'string' },
        'database-url': { type: 'string' },
        'kafka-brokers': { type: 'string' },
        sources: { type: 'string' },
        origin: { type: 'string' },
        group: { type: 'string' },
        'status-port': { type: 'string' },
        'status-host': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    throw invalid(`${(e as Error).message} (see --help)`);
  }
  if (values.help) return { help: true } as WriteBackCliOptions;
  const pick = (flag: string, ...vars: string[]) =>
    (values as Record<string, string | undefined>)[flag] ||
    vars.map((v) => env[v]).find((v) => v !== undefined && v !== '');
  const need = (flag: string, what: string, ...vars: string[]) => {
    const value = pick(flag, ...vars);
    if (!value) throw invalid(`${what} is not set: pass --${flag} or set ${vars.join(' or ')}`);
    return value;
  };
  const sources = pick('sources', 'STRANGLER_WRITE_BACK_SOURCES');
  return {
    help: false,
    catalog: need('catalog', 'the event catalog', 'STRANGLER_CATALOG'),
    mapping: need('mapping', 'the write-back mapping', 'STRANGLER_WRITE_BACK'),
    topic: need('topic', "the topic of the service's events", 'STRANGLER_SERVICE_EVENTS_TOPIC'),
    databaseUrl: need('database-url', 'the legacy database', 'LEGACY_DATABASE_URL', 'DATABASE_URL'),
    kafkaBrokers: list(need('kafka-brokers', 'Kafka', 'KAFKA_BROKERS')),
    sources: sources === undefined ? undefined : list(sources),
    origin: pick('origin', 'STRANGLER_WRITE_BACK_ORIGIN'),
    groupId: pick('group', 'STRANGLER_WRITE_BACK_GROUP'),
    statusPort: port(pick('status-port', 'STRANGLER_WRITE_BACK_STATUS_PORT')),
    statusHost: pick('status-host', 'STRANGLER_WRITE_BACK_STATUS_HOST'),
    logLevel: pick('log-level', 'LOG_LEVEL') ?? 'info',
  };
}
