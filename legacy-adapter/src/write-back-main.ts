import pino from 'pino';
import { loadCatalog, loadWriteBack } from './cli/load-module.js';
import { parseWriteBackCli, WRITE_BACK_HELP } from './cli/write-back-options.js';
import { LegacyAdapterError } from './errors.js';
import { oneLine } from './mapping/describe.js';
import { startWriteBack } from './write-back/write-back.js';

async function main(): Promise<number> {
  const cli = parseWriteBackCli(process.argv.slice(2), process.env);
  if (cli.help) {
    process.stdout.write(WRITE_BACK_HELP);
    return 0;
  }
  const logger = pino({ name: 'write-back', level: cli.logLevel });
  const writeBack = await startWriteBack({
    catalog: await loadCatalog(cli.catalog),
    mapping: await loadWriteBack(cli.mapping),
    topic: cli.topic,
    databaseUrl: cli.databaseUrl,
    kafkaBrokers: cli.kafkaBrokers,
    ...(cli.sources ? { sources: cli.sources } : {}),
    ...(cli.origin ? { origin: cli.origin } : {}),
    ...(cli.groupId ? { groupId: cli.groupId } : {}),
    ...(cli.statusPort === undefined ? {} : { statusPort: cli.statusPort }),
    ...(cli.statusHost ? { statusHost: cli.statusHost } : {}),
    logger,
  });
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await writeBack.close();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(
      `strangler-write-back: ${oneLine(e instanceof Error ? e.message : String(e))}\n`,
    );
    // 2: a restart fails the same way (configuration); 1: it may not (Kafka or the database away).
    process.exit(e instanceof LegacyAdapterError && !e.retriable ? 2 : 1);
  },
);
