import { pino } from 'pino';
import { parseConfig, USAGE } from './config.js';
import { NewServiceError } from './errors.js';
import { replayDeadLetters } from './replay.js';
import { startNewService } from './service.js';

async function main(): Promise<void> {
  let config;
  try {
    config = parseConfig(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof NewServiceError)) throw err;
    process.stderr.write(`strangler-new-service: ${err.message}\n`);
    process.exit(2);
  }
  if (config === null) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }

  const logger = pino({ name: 'new-service', level: config.logLevel });
  // pino writes asynchronously: exiting before the flush would drop the last lines.
  const exit = (code: number) => logger.flush(() => process.exit(code));
  if (config.command === 'replay-dead-letters') {
    try {
      const results = await replayDeadLetters({
        databaseUrl: config.databaseUrl,
        logger,
        ...(config.ids ? { ids: config.ids } : {}),
      });
      for (const result of results) process.stdout.write(`${JSON.stringify(result)}\n`);
      exit(results.some((r) => r.outcome === 'dead_lettered') ? 1 : 0);
    } catch (err) {
      logger.fatal({ err }, 'replay failed');
      exit(1);
    }
    return;
  }

  const { logLevel: _logLevel, command: _command, ...options } = config;
  let service;
  try {
    service = await startNewService({ ...options, logger });
  } catch (err) {
    logger.fatal({ err }, 'new service failed to start');
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
    logger.info({ signal }, 'stopping: finishing the message and the requests in flight');
    service.close().then(
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
