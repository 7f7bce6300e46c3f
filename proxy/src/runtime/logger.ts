import { pino, type Logger } from 'pino';

/** The proxy's default logger: JSON lines on stdout. */
export function createLogger(level = 'info'): Logger {
  return pino({ name: 'strangler-proxy', level });
}
