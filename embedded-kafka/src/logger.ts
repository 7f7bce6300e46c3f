import type { LogLevel, Logger } from './types.js';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

/** Drops messages below `level` and sends the rest to `sink` (default: stderr lines). */
export function leveledLogger(level: LogLevel, sink?: Logger): Logger {
  const out: Logger = sink ?? {
    debug: (m) => process.stderr.write(`[embedded-kafka] debug ${m}\n`),
    info: (m) => process.stderr.write(`[embedded-kafka] ${m}\n`),
    warn: (m) => process.stderr.write(`[embedded-kafka] WARN ${m}\n`),
    error: (m) => process.stderr.write(`[embedded-kafka] ERROR ${m}\n`),
  };
  const min = ORDER[level];
  const noop = () => {};
  return {
    debug: ORDER.debug >= min ? (m) => out.debug(m) : noop,
    info: ORDER.info >= min ? (m) => out.info(m) : noop,
    warn: ORDER.warn >= min ? (m) => out.warn(m) : noop,
    error: ORDER.error >= min ? (m) => out.error(m) : noop,
  };
}
