import { pino } from 'pino';
import { parseConfig, USAGE } from './config.js';
import { LegacyMonolithError } from './errors.js';
import { startServer } from './server.js';

async function main(): Promise<void> {
  let config;
  try {
    config = parseConfig(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof LegacyMonolithError)) throw err;
    process.stderr.write(`legacy-monolith: ${err.message}\n`);
    process.exit(2);
  }
  if (config === null) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }

  const logger = pino({ name: 'legacy-monolith', level: config.logLevel });
  // pino writes asynchronously: exiting before the flush would drop or reorder the last lines.
  const exit = (code: number) => logger.flush(() => process.exit(code));
  let server;
  try {
    server = await startServer({ ...config, logger });
  } catch (err) {
    logger.fatal({ err }, 'legacy monolith failed to start');
    exit(1);
    return;
  }

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting without waiting');
      exit(1);
      return;
    }
    stopping = true;
    logger.info({ signal }, 'stopping: finishing requests in flight');
    server.close().then(
      () => exit(0),
      (err: unknown) => {
        logger.error({ err }, 'unclean stop');
        exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

await main();
