import { parseArgs } from 'node:util';
import { configError } from './errors.js';
import { checkDatabaseUrl, DEFAULTS } from './options.js';
import type { NewServiceOptions } from './types.js';

/** `strangler-new-service [options]`: run the service. */
export interface ServeConfig extends NewServiceOptions {
  command: 'serve';
  databaseUrl: string;
  logLevel: string;
}

/** `strangler-new-service replay-dead-letters [--id <n>]...`: apply dead letters again. */
export interface ReplayConfig {
  command: 'replay-dead-letters';
  databaseUrl: string;
  /** Only these dead letters; all waiting ones when absent. */
  ids?: string[];
  logLevel: string;
}

export type MainConfig = ServeConfig | ReplayConfig;

export const USAGE = `strangler-new-service: the new allocation service (its own model built from the events on Kafka)

Usage: strangler-new-service [options]
       strangler-new-service replay-dead-letters [--id <n>]... [--database-url <url>]

Options (each flag wins over its environment variable):
  --database-url <url>    DATABASE_URL              the service's OWN Postgres database (required)
  --kafka-brokers <list>  KAFKA_BROKERS             comma-separated host:port list (required)
  --topic <name>          STRANGLER_EVENTS_TOPIC    topic of the events (default ${DEFAULTS.topic})
  --group <id>            STRANGLER_CONSUMER_GROUP  Kafka consumer group (default ${DEFAULTS.group})
  --client-id <id>        KAFKA_CLIENT_ID           Kafka client id (default ${DEFAULTS.clientId})
  --port <n>              PORT                      HTTP port (default ${DEFAULTS.port}; 0 = any free port)
  --host <addr>           HOST                      interface to listen on (default ${DEFAULTS.host})
  --pool-size <n>         POOL_SIZE                 maximum database connections (default ${DEFAULTS.poolSize})
  --no-read-cache         READ_CACHE=off            answer every read from the database (default: cache
                                                    answers, dropped on each change via LISTEN/NOTIFY)
  --log-level <level>     LOG_LEVEL                 fatal|error|warn|info|debug|trace|silent (default info)
  --id <n>                                          replay-dead-letters: only this dead letter (repeatable)
  -h, --help                                        print this help

The schema is created or updated at start. GET /products/:sku/availability?qty=N answers as the
legacy monolith does; GET /status reports the lag; GET /healthz checks the database.
SIGINT/SIGTERM stop it cleanly (the message in flight finishes its transaction).

replay-dead-letters applies the messages of the dead_letter table again, oldest first, once their
cause is fixed; it prints one JSON line per letter and exits 1 if any failed again.`;

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Reads flags and environment; `null` means `--help` was asked. Throws a `config` error. */
export function parseConfig(argv: string[], env: NodeJS.ProcessEnv): MainConfig | null {
  let values: Record<string, string | boolean | string[] | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        'database-url': { type: 'string' },
        'kafka-brokers': { type: 'string' },
        topic: { type: 'string' },
        group: { type: 'string' },
        'client-id': { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        'pool-size': { type: 'string' },
        'no-read-cache': { type: 'boolean' },
        'log-level': { type: 'string' },
        id: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw configError(`${(err as Error).message}\nRun with --help for the options.`);
  }
  if (values.help) return null;
  const pick = (flag: string, name: string) => {
    const value = values[flag];
    return typeof value === 'string' ? value : env[name]?.trim() || undefined;
  };

  const databaseUrl = pick('database-url', 'DATABASE_URL');
  if (!databaseUrl) {
    throw configError(
      "DATABASE_URL is required: set it or pass --database-url (the service's own database, e.g. postgres://user:password@localhost:5432/newservice)",
    );
  }
  checkDatabaseUrl(databaseUrl, 'DATABASE_URL (--database-url)');
  const logLevel = pick('log-level', 'LOG_LEVEL') ?? 'info';
  if (!LEVELS.includes(logLevel)) {
    throw configError(
      `LOG_LEVEL (--log-level) must be one of ${LEVELS.join(', ')}, got "${logLevel}"`,
    );
  }
  const [command, ...extra] = positionals;
  if (command !== undefined && (command !== 'replay-dead-letters' || extra.length > 0)) {
    throw configError(
      `unknown command "${positionals.join(' ')}": the only command is replay-dead-letters`,
    );
  }
  const ids = values.id as string[] | undefined;
  if (command === 'replay-dead-letters') {
    for (const id of ids ?? []) {
      if (!/^\d{1,18}$/.test(id))
        throw configError(`--id must be a dead letter id (digits), got "${id}"`);
    }
    return { command, databaseUrl, logLevel, ...(ids ? { ids } : {}) };
  }
  if (ids) throw configError('--id only goes with the replay-dead-letters command');
  const brokers = pick('kafka-brokers', 'KAFKA_BROKERS');
  if (!brokers) {
    throw configError(
      'KAFKA_BROKERS is required: set it or pass --kafka-brokers (e.g. localhost:9092,other:9092)',
    );
  }
  const kafkaBrokers = brokers.split(',').map((b) => b.trim());
  for (const broker of kafkaBrokers) {
    if (!/^[^:\s]+:\d{1,5}$/.test(broker)) {
      throw configError(
        `KAFKA_BROKERS (--kafka-brokers): "${broker}" is not host:port (e.g. localhost:9092)`,
      );
    }
  }
  const topic = pick('topic', 'STRANGLER_EVENTS_TOPIC');
  const group = pick('group', 'STRANGLER_CONSUMER_GROUP');
  const clientId = pick('client-id', 'KAFKA_CLIENT_ID');
  const host = pick('host', 'HOST');
  return {
    command: 'serve',
    databaseUrl,
    kafkaBrokers,
    ...(topic === undefined ? {} : { topic }),
    ...(group === undefined ? {} : { group }),
    ...(clientId === undefined ? {} : { clientId }),
    ...(host === undefined ? {} : { host }),
    port: integerSetting(pick('port', 'PORT'), 'PORT (--port)', DEFAULTS.port, 0, 65_535),
    poolSize: integerSetting(
      pick('pool-size', 'POOL_SIZE'),
      'POOL_SIZE (--pool-size)',
      DEFAULTS.poolSize,
      1,
      1000,
    ),
    readCache: !(
      values['no-read-cache'] === true || /^(off|false|0|no)$/i.test(env.READ_CACHE?.trim() ?? '')
    ),
    logLevel,
  };
}

function integerSetting(
  raw: string | undefined,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined) return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw configError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}
