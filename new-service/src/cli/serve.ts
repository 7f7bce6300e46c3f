import type { Logger } from 'pino';
import { NewServiceError } from '../errors.js';
import { startService } from '../service.js';
import type { CliConfig, RunningService, ServiceDefinition } from '../types.js';
import type { CliIo } from './run.js';

/**
 * The `serve` command: starts the service, then stops it cleanly on SIGINT/SIGTERM (exit 0); a
 * second signal exits at once (1). A bad option exits 2, any other start failure 1.
 */
export async function serve(
  name: string,
  config: CliConfig<unknown>,
  definition: ServiceDefinition,
  logger: Logger,
  io: CliIo,
  exit: (code: number) => void,
): Promise<void> {
  let service: RunningService;
  try {
    service = await startService({
      name,
      ...definition,
      databaseUrl: config.databaseUrl,
      kafkaBrokers: config.kafkaBrokers,
      ...(config.clientId === undefined ? {} : { clientId: config.clientId }),
      port: config.port,
      host: config.host,
      poolSize: config.poolSize,
      readiness: {
        ...definition.readiness,
        ...(config.readinessMaxLag === undefined ? {} : { maxLag: config.readinessMaxLag }),
        ...(config.readinessMaxBehindMs === undefined
          ? {}
          : { maxBehindMs: config.readinessMaxBehindMs }),
      },
      logger,
    });
  } catch (err) {
    if (err instanceof NewServiceError && err.code === 'config') {
      io.stderr.write(`${name}: ${err.message}\n`);
      exit(2);
      return;
    }
    logger.fatal({ err }, 'service failed to start');
    exit(1);
    return;
  }
  let stopping = false;
  io.onSignal((signal) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting without waiting');
      exit(1);
      return;
    }
    stopping = true;
    logger.info({ signal }, 'stopping: finishing the batch and the requests in flight');
    service.close().then(
      () => exit(0),
      (err: unknown) => {
        logger.error({ err }, 'unclean stop');
        exit(1);
      },
    );
  });
}
