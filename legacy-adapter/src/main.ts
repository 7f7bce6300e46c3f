import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { startAdapter } from './adapter.js';
import { LegacyAdapterError } from './errors.js';
import type { Mapper } from './mapping/mapper.js';
import { startStatusServer } from './status-server.js';

const HELP = `Usage: strangler-legacy-adapter [options]

Captures the legacy database's changes (logical replication, pgoutput), maps them to domain events
and publishes them to Kafka. The first start loads the existing rows from a consistent snapshot.

Options (environment variable in brackets):
  --database-url URL        legacy database; role with REPLICATION [LEGACY_DATABASE_URL, DATABASE_URL]
  --kafka-brokers LIST      comma-separated host:port [KAFKA_BROKERS]
  --topic NAME              topic for the events (default allocation.events) [STRANGLER_EVENTS_TOPIC]
  --slot NAME               replication slot (default strangler_adapter) [STRANGLER_SLOT]
  --publication NAME        publication (default strangler_adapter) [STRANGLER_PUBLICATION]
  --source URI              CloudEvents source (default /strangler/legacy-adapter/<slot>)
  --mapper FILE             module whose default export is a Mapper (default: the example
                            allocation mapping) [STRANGLER_MAPPER]
  --alter-replica-identity  set REPLICA IDENTITY FULL where the mapping needs old rows
  --resnapshot              the slot is gone: publish the current state as a new snapshot
  --status-port N           serve GET /healthz and /status on this port [STRANGLER_ADAPTER_STATUS_PORT]
  --status-host HOST        interface for the status port (default 127.0.0.1)
  --log-level LEVEL         pino level (default info) [LOG_LEVEL]
  -h, --help                show this help

Exit codes: 0 stopped by SIGINT/SIGTERM, 1 stopped by a failure a restart may cure (database or
Kafka unreachable, replication ended), 2 bad configuration or a source it refuses to capture.
`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'database-url': { type: 'string' },
      'kafka-brokers': { type: 'string' },
      topic: { type: 'string' },
      slot: { type: 'string' },
      publication: { type: 'string' },
      source: { type: 'string' },
      mapper: { type: 'string' },
      'alter-replica-identity': { type: 'boolean' },
      resnapshot: { type: 'boolean' },
      'log-level': { type: 'string' },
      'status-port': { type: 'string' },
      'status-host': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const env = process.env;
  const logger = pino({
    name: 'legacy-adapter',
    level: values['log-level'] ?? env.LOG_LEVEL ?? 'info',
  });
  const databaseUrl = values['database-url'] ?? env.LEGACY_DATABASE_URL ?? env.DATABASE_URL;
  if (!databaseUrl)
    throw new LegacyAdapterError(
      'INVALID_CONFIG',
      'the legacy database is not set: pass --database-url or set LEGACY_DATABASE_URL',
    );
  const brokers = values['kafka-brokers'] ?? env.KAFKA_BROKERS;
  if (!brokers)
    throw new LegacyAdapterError(
      'INVALID_CONFIG',
      'Kafka is not set: pass --kafka-brokers or set KAFKA_BROKERS',
    );
  const mapperPath = values.mapper ?? env.STRANGLER_MAPPER;
  const adapter = await startAdapter({
    databaseUrl,
    kafkaBrokers: brokers.split(',').map((b) => b.trim()),
    topic: values.topic ?? env.STRANGLER_EVENTS_TOPIC,
    slot: values.slot ?? env.STRANGLER_SLOT,
    publication: values.publication ?? env.STRANGLER_PUBLICATION,
    source: values.source,
    mapper: mapperPath ? await loadMapper(mapperPath) : undefined,
    alterReplicaIdentity: values['alter-replica-identity'] ?? false,
    resnapshot: values.resnapshot ?? false,
    logger,
  });
  const statusPort = values['status-port'] ?? env.STRANGLER_ADAPTER_STATUS_PORT;
  const statusServer = statusPort
    ? await startStatusServer(port(statusPort), values['status-host'] ?? '127.0.0.1', () =>
        adapter.status(),
      )
    : null;
  const stopped = new Promise<number>((done) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'stopping');
      statusServer?.close();
      adapter.close().then(() => done(0));
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  const failed = adapter.failed.then((e) =>
    e instanceof LegacyAdapterError && !e.retriable ? 2 : 1,
  );
  return Promise.race([stopped, failed]);
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new LegacyAdapterError(
      'INVALID_CONFIG',
      `--status-port must be a port number; got "${value}"`,
    );
  return n;
}

async function loadMapper(path: string): Promise<Mapper> {
  const mod = (await import(pathToFileURL(resolve(path)).href)) as { default?: Mapper };
  const mapper = mod.default;
  if (!mapper || !Array.isArray(mapper.tables) || typeof mapper.mapChange !== 'function') {
    throw new LegacyAdapterError(
      'INVALID_CONFIG',
      `--mapper ${path}: the default export must be a Mapper ({ tables, fullIdentityTables, mapChange })`,
    );
  }
  return mapper;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    const known = e instanceof LegacyAdapterError;
    process.stderr.write(
      `strangler-legacy-adapter: ${e instanceof Error ? e.message : String(e)}\n`,
    );
    process.exit(known && !e.retriable ? 2 : 1);
  },
);
