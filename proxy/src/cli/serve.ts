import { startProxy } from '../server/start-proxy.js';
import type { StartProxyOptions } from '../types.js';
import { UsageError, intOption, type Flags } from './flags.js';

/** `strangler-proxy serve`: runs until SIGTERM/SIGINT, then drains and exits 0. */
export async function serve(flags: Flags, env: NodeJS.ProcessEnv): Promise<void> {
  const configFile = flags.config ?? env.STRANGLER_PROXY_CONFIG;
  if (!configFile) throw new UsageError('--config FILE (or STRANGLER_PROXY_CONFIG) is required');
  const port = intOption('--port', flags.port ?? env.PORT);
  const adminPort = intOption('--admin-port', flags['admin-port'] ?? env.STRANGLER_ADMIN_PORT);
  const host = flags.host ?? env.HOST;
  const adminHost = flags['admin-host'] ?? env.STRANGLER_ADMIN_HOST;
  const auditLog = flags['audit-log'] ?? env.STRANGLER_AUDIT_LOG;
  const controlDb = flags['control-db'] ?? env.STRANGLER_CONTROL_DB;
  const options: StartProxyOptions = {
    configFile,
    env,
    logLevel: flags['log-level'] ?? env.LOG_LEVEL ?? 'info',
    ...(port === undefined ? {} : { port }),
    ...(adminPort === undefined ? {} : { adminPort }),
    ...(host ? { host } : {}),
    ...(adminHost ? { adminHost } : {}),
    ...(auditLog ? { auditLog } : {}),
    ...(controlDb ? { controlDb } : {}),
    ...(flags['no-admin'] ? { admin: false } : {}),
  };
  const proxy = await startProxy(options);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      process.stderr.write(`strangler-proxy: ${signal} again, exiting without draining\n`);
      process.exit(1);
    }
    stopping = true;
    proxy.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`strangler-proxy: shutdown failed: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
