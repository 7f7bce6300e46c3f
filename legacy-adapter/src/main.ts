import pino from 'pino';
import { startAdapter } from './adapter.js';
import { loadCatalog, loadMapper } from './cli/load-module.js';
import { HELP } from './cli/help.js';
import { parseCli } from './cli/options.js';
import { LegacyAdapterError } from './errors.js';
import { oneLine } from './mapping/describe.js';
import { outboxMapper } from './mapping/outbox-mapper.js';
import { startStatusServer } from './status-server.js';

/** 2 when a restart would fail the same way (a supervisor should not loop on it), else 1. */
const exitCode = (e: unknown) => (e instanceof LegacyAdapterError && !e.retriable ? 2 : 1);

/** The reason on stderr, one line, whatever the logs say in JSON. */
const report = (e: unknown) =>
  process.stderr.write(
    `strangler-legacy-adapter: ${oneLine(e instanceof Error ? e.message : String(e))}\n`,
  );

async function main(): Promise<number> {
  const cli = parseCli(process.argv.slice(2), process.env);
  if (cli.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const logger = pino({ name: 'legacy-adapter', level: cli.logLevel });
  const catalog = await loadCatalog(cli.catalog);
  const mapper = cli.outbox ? outboxMapper({ table: cli.outbox }) : await loadMapper(cli.mapper!);
  const adapter = await startAdapter({
    catalog,
    mapper,
    topic: cli.topic,
    databaseUrl: cli.databaseUrl,
    kafkaBrokers: cli.kafkaBrokers,
    onMappingError: cli.onMappingError,
    deadLetterTopic: cli.deadLetterTopic,
    onTruncate: cli.onTruncate,
    slot: cli.slot,
    publication: cli.publication,
    source: cli.source,
    skipOrigins: cli.skipOrigins,
    alterReplicaIdentity: cli.alterReplicaIdentity,
    resnapshot: cli.resnapshot,
    publishTimeoutMs: cli.publishTimeoutMs,
    lingerMs: cli.lingerMs,
    logger,
  });
  const statusServer =
    cli.statusPort === undefined
      ? null
      : await startStatusServer(
          cli.statusPort,
          cli.statusHost,
          () => adapter.status(),
          () => adapter.barrier(),
        );
  if (statusServer) logger.info({ address: statusServer.address() }, 'status port listening');
  const stopped = new Promise<number>((done) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'stopping');
      statusServer?.close();
      adapter.close().then(() => done(0));
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  const failed = adapter.failed.then((e) => {
    report(e);
    return exitCode(e);
  });
  return Promise.race([stopped, failed]);
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    report(e);
    process.exit(exitCode(e));
  },
);
