import { resolve } from 'node:path';
import { loadConfigFile } from '../config/load.js';
import { ControlStore } from '../control/store.js';
import { ProxyError } from '../errors.js';
import type { TableImportAuditEntry } from '../types.js';
import { UsageError, type Flags } from './flags.js';
import { defaultActor } from './routes.js';

/**
 * `strangler-proxy control export|import`: the route table of a control plane as a route file,
 * and a route file published to it as the next version (every replica applies it).
 */
export async function controlCommand(
  args: string[],
  flags: Flags,
  env: NodeJS.ProcessEnv,
  out: (s: string) => void,
): Promise<number> {
  const [action] = args;
  const url = flags['control-db'] ?? env.STRANGLER_CONTROL_DB;
  if (!url) throw new UsageError('--control-db URL (or STRANGLER_CONTROL_DB) is required');
  if (action !== 'export' && action !== 'import') {
    throw new UsageError('usage: control export|import (see --help)');
  }
  const store = new ControlStore(url);
  try {
    const latest = await store.latest().catch((err: Error) => {
      throw new ProxyError(
        'control_unreachable',
        `control plane ${store.description}: ${err.message}`,
      );
    });
    if (action === 'export') {
      if (!latest) {
        throw new ProxyError(
          'control_unreachable',
          `control plane ${store.description} holds no route table yet: start a proxy with --control-db, or import one`,
        );
      }
      process.stdout.write(latest.text.endsWith('\n') ? latest.text : `${latest.text}\n`);
      return 0;
    }
    const file = flags.config ?? env.STRANGLER_PROXY_CONFIG;
    if (!file) throw new UsageError('control import needs --config FILE');
    if (!flags.reason?.trim()) throw new UsageError('control import needs --reason TEXT');
    // Checked as a replica will check it (with this shell's environment for ${VAR}s).
    const loaded = await loadConfigFile(file, { env });
    await store.migrate();
    const from = latest?.version ?? 0;
    const entry: TableImportAuditEntry = {
      at: new Date().toISOString(),
      kind: 'import',
      target: '(route table)',
      routes: loaded.config.routes.map((r) => r.id),
      reason: flags.reason.trim(),
      actor: flags.actor ?? defaultActor(),
      source: 'cli',
      file: resolve(file),
      fromVersion: from,
      toVersion: from + 1,
    };
    const version = await store.publish(loaded.text ?? '', from, entry);
    out(`imported ${resolve(file)} as version ${version} (was ${from}); every replica applies it`);
    return 0;
  } finally {
    await store.close();
  }
}
