import { ApacheKafkaError } from './errors.js';
import type { ApacheKafkaOptions } from './types.js';

/** Options with defaults applied, refused with the field and the fix when wrong. */
export function checkOptions(options: ApacheKafkaOptions) {
  const { nodes = 1, host = '127.0.0.1', heap = '768m', startTimeoutMs = 120_000, port } = options;
  if (nodes !== 1 && nodes !== 3) {
    throw new ApacheKafkaError(
      'BAD_OPTION',
      `nodes: ${String(nodes)} is not supported; use 1 or 3`,
    );
  }
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
    throw new ApacheKafkaError('BAD_OPTION', `port: ${String(port)} is not a TCP port (1-65535)`);
  }
  if (!/^\d+[mMgG]$/.test(heap)) {
    throw new ApacheKafkaError(
      'BAD_OPTION',
      `heap: "${heap}" is not a JVM size such as 768m or 2g`,
    );
  }
  if (!(Number.isFinite(startTimeoutMs) && startTimeoutMs > 0)) {
    throw new ApacheKafkaError(
      'BAD_OPTION',
      `startTimeoutMs: ${String(startTimeoutMs)} must be a positive number`,
    );
  }
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    if (typeof value !== 'string' || /[\r\n]/.test(key + value)) {
      throw new ApacheKafkaError('BAD_OPTION', `overrides.${key}: must be a one-line string`);
    }
  }
  return { nodes, host, heap, startTimeoutMs, port } as const;
}
