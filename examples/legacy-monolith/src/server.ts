import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { pino } from 'pino';
import { createApp } from './app.js';
import { describeDatabaseUrl } from './config.js';
import { LegacyMonolithError } from './errors.js';
import { migrate } from './schema.js';
import type { RunningServer, ServerOptions } from './types.js';

/** Creates the schema if needed and listens. Resolves once the port is bound. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const logger = options.logger ?? pino({ name: 'legacy-monolith' });
  const { pool, ownsPool } = poolFor(options);
  pool.on('error', (err) => logger.error({ err }, 'idle database connection failed'));

  let server: Server | undefined;
  try {
    if (options.migrate ?? true) await migrate(pool);
    server = createServer(createApp({ pool, logger }));
    await listen(server, options.port ?? 3000, options.host ?? '0.0.0.0');
  } catch (err) {
    if (ownsPool) await pool.end().catch(() => undefined);
    throw err;
  }

  const address = server.address() as AddressInfo;
  const url = `http://${urlHost(address)}:${address.port}`;
  logger.info(
    { url, host: address.address, port: address.port, database: databaseLabel(options) },
    'legacy monolith listening',
  );

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await stopHttp(server, options.shutdownGraceMs ?? 10_000);
      if (ownsPool) await pool.end();
      logger.info('legacy monolith stopped');
    })();
    return closing;
  };
  return { url, port: address.port, close };
}

function poolFor(options: ServerOptions): { pool: pg.Pool; ownsPool: boolean } {
  if (options.pool) return { pool: options.pool, ownsPool: false };
  if (!options.databaseUrl) {
    throw new LegacyMonolithError('config', 'databaseUrl (or pool) is required');
  }
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: options.poolSize ?? 10,
    application_name: 'legacy-monolith',
    // Without it a request waits forever for a database that is down or a pool that is exhausted.
    connectionTimeoutMillis: 10_000,
  });
  return { pool, ownsPool: true };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Stops accepting, lets requests in flight finish, and closes keep-alive connections as they go
 * idle; whatever is still open after the grace period is cut.
 */
function stopHttp(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}

function urlHost(address: AddressInfo): string {
  if (address.address === '0.0.0.0') return '127.0.0.1';
  if (address.address === '::') return '[::1]';
  return address.family === 'IPv6' ? `[${address.address}]` : address.address;
}

function databaseLabel(options: ServerOptions): Record<string, string> | string {
  return options.databaseUrl ? describeDatabaseUrl(options.databaseUrl) : 'pool given by caller';
}
