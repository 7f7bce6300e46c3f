import { dirname, resolve } from 'node:path';
import type { ProxyConfig } from '../../types.js';
import { JsonlStore } from './jsonl.js';
import { PostgresStore } from './postgres.js';
import type { MismatchStore } from './record.js';

/** The store `shadow.store` asks for: a file (relative to the route file's folder) or a table. */
export function storeFor(config: ProxyConfig, file: string | undefined): MismatchStore | undefined {
  const s = config.shadow.store;
  if (!s) return undefined;
  if ('postgres' in s) return new PostgresStore(s.postgres, { table: s.table, keep: s.keep });
  const path = file ? resolve(dirname(file), s.file) : resolve(s.file);
  return new JsonlStore(path, s.maxBytes, s.keep);
}
