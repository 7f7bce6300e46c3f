import { dirname, resolve } from 'node:path';
import type { ProxyConfig } from '../../types.js';
import { JsonlStore } from './jsonl.js';
import type { MismatchStore } from './record.js';

/** The store `shadow.store` asks for, its file relative to the route file's folder. */
export function storeFor(config: ProxyConfig, file: string | undefined): MismatchStore | undefined {
  const s = config.shadow.store;
  if (!s) return undefined;
  const path = file ? resolve(dirname(file), s.file) : resolve(s.file);
  return new JsonlStore(path, s.maxBytes, s.keep);
}
