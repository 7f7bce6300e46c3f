import { pino, type DestinationStream, type Logger } from 'pino';
import { configError, NewServiceError } from '../errors.js';
import { rebuildConsumer, replayDeadLetters } from '../standalone.js';
import type {
  CliConfig,
  CliOption,
  CliValues,
  ServiceCliOptions,
  ServiceDefinition,
} from '../types.js';
import { parseCli } from './parse.js';
import { serve } from './serve.js';
import { usage } from './usage.js';

/** Where the CLI reads and writes; the process's by default (tests give their own). */
export interface CliIo {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** Ends the process with this code (called once the logs are flushed). */
  exit(code: number): void;
  /** Registers the handler of SIGINT and SIGTERM. */
  onSignal(handler: (signal: NodeJS.Signals) => void): void;
}

const processIo = (): CliIo => ({
  argv: process.argv.slice(2),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  exit: (code) => process.exit(code),
  onSignal: (handler) => {
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  },
});

/**
 * The `main` of a service built on the kit: reads the common flags and variables (DATABASE_URL,
 * KAFKA_BROKERS, PORT, HOST, POOL_SIZE, LOG_LEVEL, ...) and the service's own, builds the service
 * with `options.service(config)`, and runs the command: `serve` (default), `replay-dead-letters
 * [--id N]... [--consumer NAME]`, `rebuild <consumer>`. A bad setting exits 2 with one line naming
 * the variable and the flag; any other failure exits 1. SIGINT/SIGTERM stop `serve` cleanly
 * (exit 0); a second signal exits at once (1).
 */
export async function runServiceCli<O extends Record<string, CliOption> = Record<string, never>>(
  options: ServiceCliOptions<O>,
  io: CliIo = processIo(),
): Promise<void> {
  let config: CliConfig<CliValues<O>> | null;
  let definition: ServiceDefinition;
  const refuse = (err: unknown) => {
    const bad = err instanceof NewServiceError && err.code === 'config';
    io.stderr.write(
      `${options.name}: ${bad ? err.message : String((err as Error)?.stack ?? err)}\n`,
    );
    io.exit(bad ? 2 : 1);
  };
  try {
    config = parseCli(options, io.argv, io.env) as CliConfig<CliValues<O>> | null;
    if (config === null) {
      io.stdout.write(`${usage(options)}\n`);
      io.exit(0);
      return;
    }
    definition = await options.service(config);
    const needsKafka = config.command === 'rebuild' || (definition.consumers ?? []).length > 0;
    if (
      config.command !== 'replay-dead-letters' &&
      needsKafka &&
      config.kafkaBrokers.length === 0
    ) {
      throw configError(
        'KAFKA_BROKERS is required: set it or pass --kafka-brokers (e.g. localhost:9092,other:9092)',
      );
    }
  } catch (err) {
    refuse(err);
    return;
  }

  const logger = makeLogger(options.name, config.logLevel, io);
  // pino may write asynchronously: exiting before the flush would drop the last lines.
  const exit = (code: number) => logger.flush(() => io.exit(code));
  const common = {
    databaseUrl: config.databaseUrl,
    consumers: definition.consumers ?? [],
    migrations: definition.migrations ?? [],
    logger,
  };
  try {
    if (config.command === 'replay-dead-letters') {
      const results = await replayDeadLetters({
        ...common,
        ...(config.ids ? { ids: config.ids } : {}),
        ...(config.consumer === undefined ? {} : { consumer: config.consumer }),
      });
      for (const result of results) io.stdout.write(`${JSON.stringify(result)}\n`);
      exit(results.some((r) => r.outcome === 'dead_lettered') ? 1 : 0);
      return;
    }
    if (config.command === 'rebuild') {
      const consumer = common.consumers.find((c) => c.name === config.consumer);
      if (!consumer) {
        const names = common.consumers.map((c) => c.name).join(', ') || 'none';
        throw configError(`rebuild: no consumer "${config.consumer}" in ${options.name}: ${names}`);
      }
      const result = await rebuildConsumer({
        ...common,
        consumer,
        kafkaBrokers: config.kafkaBrokers,
        ...(config.clientId === undefined ? {} : { clientId: config.clientId }),
      });
      io.stdout.write(`${JSON.stringify(result)}\n`);
      exit(0);
      return;
    }
  } catch (err) {
    if (err instanceof NewServiceError && err.code === 'config') {
      io.stderr.write(`${options.name}: ${err.message}\n`);
      exit(2);
    } else {
      if (err instanceof NewServiceError) io.stderr.write(`${options.name}: ${err.message}\n`);
      logger.fatal({ err }, `${config.command} failed`);
      exit(1);
    }
    return;
  }
  await serve(options.name, config, definition, logger, io, exit);
}

function makeLogger(name: string, level: string, io: CliIo): Logger {
  if (io.stdout === process.stdout) return pino({ name, level });
  return pino({ name, level }, io.stdout as DestinationStream);
}
