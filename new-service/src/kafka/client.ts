import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { Logger } from 'pino';

/** kafkajs logs into the service's pino logger; its routine INFO lines (joins, stops) go to debug. */
function pinoLogCreator(logger: Logger) {
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, timestamp: _timestamp, ...extra } = log;
      const fields = { namespace, ...extra };
      if (level === logLevel.ERROR) kafkaLogger.error(fields, message);
      else if (level === logLevel.WARN) kafkaLogger.warn(fields, message);
      else kafkaLogger.debug(fields, message);
    };
}

/** The Kafka client shared by the consumers and the admin (watermarks, group members). */
export function createKafka(brokers: readonly string[], clientId: string, logger: Logger): Kafka {
  return new Kafka({
    clientId,
    brokers: [...brokers],
    logLevel: logLevel.INFO,
    logCreator: pinoLogCreator(logger),
    connectionTimeout: 3000,
    // Short retries at this level: the consumer supervisor retries forever on top of them.
    retry: { initialRetryTime: 200, maxRetryTime: 5000, retries: 5 },
  });
}
