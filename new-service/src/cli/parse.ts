import { parseArgs } from 'node:util';
import { configError } from '../errors.js';
import { checkDatabaseUrl, DEFAULTS } from '../options.js';
import type { CliConfig, CliOption, ServiceCliOptions } from '../types.js';
import { integerSetting, optionalInteger, ownValues } from './settings.js';

/** The kit's own flags: name -> [environment variable, value placeholder, help]. */
export const COMMON_FLAGS = {
  'database-url': ['DATABASE_URL', '<url>', "the service's OWN Postgres database (required)"],
  'kafka-brokers': [
    'KAFKA_BROKERS',
    '<list>',
    'comma-separated host:port list (required to consume)',
  ],
  'client-id': ['KAFKA_CLIENT_ID', '<id>', 'Kafka client id (default: the service name)'],
  port: ['PORT', '<n>', 'HTTP port; 0 picks a free one'],
  host: ['HOST', '<addr>', 'interface to listen on'],
  'pool-size': ['POOL_SIZE', '<n>', 'maximum database connections'],
  'readiness-max-lag': [
    'READINESS_MAX_LAG',
    '<n>',
    '/status says ready up to this lag (default 0)',
  ],
  'readiness-max-behind-ms': [
    'READINESS_MAX_BEHIND_MS',
    '<ms>',
    '/status also says ready while no consumer is further behind than this (default: unused)',
  ],
  'log-level': ['LOG_LEVEL', '<level>', 'fatal|error|warn|info|debug|trace|silent (default info)'],
} as const;

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const COMMANDS = 'serve (default), replay-dead-letters, rebuild <consumer>';

/** Reads flags and environment; `null` means `--help` was asked. Throws a `config` error. */
export function parseCli<O extends Record<string, CliOption>>(
  spec: ServiceCliOptions<O>,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): CliConfig<Record<string, unknown>> | null {
  const own = spec.options ?? ({} as O);
  const flags: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> =
    {};
  for (const name of Object.keys(COMMON_FLAGS)) flags[name] = { type: 'string' };
  flags.id = { type: 'string', multiple: true };
  flags.consumer = { type: 'string' };
  flags.help = { type: 'boolean', short: 'h' };
  for (const option of Object.values(own)) {
    for (const flag of option.type === 'boolean'
      ? [option.flag, `no-${option.flag}`]
      : [option.flag]) {
      if (flag in flags) throw new Error(`${spec.name}: the flag --${flag} is declared twice`);
      flags[flag] = { type: option.type === 'boolean' ? 'boolean' : 'string' };
    }
  }
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: true,
      options: flags,
    }));
  } catch (err) {
    throw configError(`${(err as Error).message}\nRun with --help for the options.`);
  }
  if (values.help) return null;
  const pick = (flag: string, name?: string) => {
    const value = values[flag];
    if (typeof value === 'string') return value;
    return name === undefined ? undefined : env[name]?.trim() || undefined;
  };
  const named = (flag: keyof typeof COMMON_FLAGS) => `${COMMON_FLAGS[flag][0]} (--${flag})`;

  const [first, ...rest] = positionals;
  const command = first ?? 'serve';
  if (
    !(command === 'serve' || command === 'replay-dead-letters' || command === 'rebuild') ||
    (command === 'rebuild' ? rest.length !== 1 : rest.length > 0)
  ) {
    throw configError(
      command === 'rebuild'
        ? 'rebuild needs the name of one consumer: rebuild <consumer>'
        : `unknown command "${positionals.join(' ')}": the commands are ${COMMANDS}`,
    );
  }
  const databaseUrl = pick('database-url', 'DATABASE_URL');
  if (!databaseUrl) {
    throw configError(
      "DATABASE_URL is required: set it or pass --database-url (the service's own database, e.g. postgres://user:password@localhost:5432/service)",
    );
  }
  checkDatabaseUrl(databaseUrl, named('database-url'));
  const logLevel = pick('log-level', 'LOG_LEVEL') ?? 'info';
  if (!LEVELS.includes(logLevel)) {
    throw configError(
      `${named('log-level')} must be one of ${LEVELS.join(', ')}, got "${logLevel}"`,
    );
  }
  const ids = values.id as string[] | undefined;
  if (ids && command !== 'replay-dead-letters') {
    throw configError('--id only goes with the replay-dead-letters command');
  }
  for (const id of ids ?? []) {
    if (!/^\d{1,18}$/.test(id))
      throw configError(`--id must be a dead letter id (digits), got "${id}"`);
  }
  if (typeof values.consumer === 'string' && command !== 'replay-dead-letters') {
    throw configError('--consumer only goes with the replay-dead-letters command');
  }
  const brokers = pick('kafka-brokers', 'KAFKA_BROKERS');
  const kafkaBrokers = brokers === undefined ? [] : brokers.split(',').map((b) => b.trim());
  for (const broker of kafkaBrokers) {
    if (!/^[^:\s]+:\d{1,5}$/.test(broker)) {
      throw configError(
        `${named('kafka-brokers')}: "${broker}" is not host:port (e.g. localhost:9092)`,
      );
    }
  }
  const defaults = spec.defaults ?? {};
  const consumer = command === 'rebuild' ? rest[0] : (values.consumer as string | undefined);
  return {
    command,
    databaseUrl,
    kafkaBrokers,
    clientId: pick('client-id', 'KAFKA_CLIENT_ID') ?? defaults.clientId,
    port: integerSetting(
      pick('port', 'PORT'),
      named('port'),
      defaults.port ?? DEFAULTS.port,
      0,
      65_535,
    ),
    host: pick('host', 'HOST') ?? defaults.host ?? DEFAULTS.host,
    poolSize: integerSetting(
      pick('pool-size', 'POOL_SIZE'),
      named('pool-size'),
      defaults.poolSize ?? DEFAULTS.poolSize,
      1,
      1000,
    ),
    readinessMaxLag: optionalInteger(
      pick('readiness-max-lag', 'READINESS_MAX_LAG'),
      named('readiness-max-lag'),
    ),
    readinessMaxBehindMs: optionalInteger(
      pick('readiness-max-behind-ms', 'READINESS_MAX_BEHIND_MS'),
      named('readiness-max-behind-ms'),
    ),
    logLevel,
    ids,
    consumer,
    options: ownValues(own, values, env, pick),
  };
}
