import { parseArgs } from 'node:util';
import { LegacyMonolithError } from './errors.js';

/** Settings of the `legacy-monolith` process. */
export interface MainConfig {
  /** `--port` / `PORT`: TCP port, default 3000. */
  port: number;
  /** `--host` / `HOST`: interface, default 0.0.0.0. */
  host: string;
  /** `--database-url` / `DATABASE_URL`: the legacy Postgres database (required). */
  databaseUrl: string;
  /** `--pool-size` / `POOL_SIZE`: maximum database connections, default 10. */
  poolSize: number;
  /** `--log-level` / `LOG_LEVEL`: pino level, default info. */
  logLevel: string;
}

export const USAGE = `legacy-monolith: the sample legacy system (express + SQL in handlers, on Postgres)

Usage: legacy-monolith [options]

Options (each flag wins over its environment variable):
  --database-url <url>  DATABASE_URL  Postgres URL, e.g. postgres://user:pw@localhost:5432/legacy (required)
  --port <n>            PORT          TCP port to listen on (default 3000; 0 = any free port)
  --host <addr>         HOST          interface to listen on (default 0.0.0.0)
  --pool-size <n>       POOL_SIZE     maximum database connections (default 10)
  --log-level <level>   LOG_LEVEL     fatal|error|warn|info|debug|trace|silent (default info)
  -h, --help                          print this help

The schema is created if missing. SIGINT/SIGTERM stop it cleanly.`;

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Reads flags and environment; `null` means `--help` was asked. Throws a `config` error. */
export function parseConfig(argv: string[], env: NodeJS.ProcessEnv): MainConfig | null {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        'database-url': { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        'pool-size': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw configError(`${(err as Error).message}\nRun with --help for the options.`);
  }
  if (values.help) return null;
  const pick = (flag: string, name: string) => {
    const value = values[flag];
    return typeof value === 'string' ? value : env[name] || undefined;
  };

  const databaseUrl = pick('database-url', 'DATABASE_URL');
  if (!databaseUrl) {
    throw configError(
      'DATABASE_URL is required: set it or pass --database-url (e.g. postgres://user:password@localhost:5432/legacy)',
    );
  }
  describeDatabaseUrl(databaseUrl);
  const logLevel = pick('log-level', 'LOG_LEVEL') ?? 'info';
  if (!LEVELS.includes(logLevel)) {
    throw configError(
      `LOG_LEVEL (--log-level) must be one of ${LEVELS.join(', ')}, got "${logLevel}"`,
    );
  }
  return {
    databaseUrl,
    port: integerSetting(pick('port', 'PORT'), 'PORT (--port)', 3000, 0, 65_535),
    host: pick('host', 'HOST') ?? '0.0.0.0',
    poolSize: integerSetting(
      pick('pool-size', 'POOL_SIZE'),
      'POOL_SIZE (--pool-size)',
      10,
      1,
      1000,
    ),
    logLevel,
  };
}

/** Where a database URL points, without its password; throws a `config` error if it is no URL. */
export function describeDatabaseUrl(databaseUrl: string): Record<string, string> {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw configError('DATABASE_URL must be a URL such as postgres://user:password@host:5432/db');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw configError(
      `DATABASE_URL must start with postgres:// or postgresql://, got ${url.protocol}//`,
    );
  }
  return {
    host: url.hostname || url.searchParams.get('host') || 'localhost',
    port: url.port || '5432',
    database: decodeURIComponent(url.pathname.slice(1)),
    user: decodeURIComponent(url.username),
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

function configError(message: string): LegacyMonolithError {
  return new LegacyMonolithError('config', message);
}
