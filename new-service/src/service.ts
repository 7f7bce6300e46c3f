import { appliedRoute } from './http/applied.js';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { pino, type Logger } from 'pino';
import { configError } from './errors.js';
import { json } from './http/reply.js';
import { get, Router, type Entry } from './http/router.js';
import { createHttpServer } from './http/server.js';
import { KafkaAdmin } from './kafka/admin.js';
import { createKafka } from './kafka/client.js';
import { databaseWhere, resolveOptions, type ResolvedOptions } from './options.js';
import { migrate } from './postgres/schema.js';
import { ConsumerRuntime } from './runtime/consumer-runtime.js';
import { resetConsumer } from './runtime/rebuild.js';
import { replayLetters } from './runtime/replay-dead-letters.js';
import { serviceStatus } from './runtime/status.js';
import { ServiceResources } from './service-resources.js';
import type { RunningService, ServiceStatus, StartServiceOptions } from './types.js';

/**
 * Starts a service in this process: migrations (the kit's tables, then the user's), HTTP (the
 * user's routes plus `/healthz` and `/status`), and every consumer in the background (a broker or
 * topic that is not there yet is waited for; `/status` says so). Resolves once the HTTP port is
 * bound. Throws a `config` NewServiceError for bad options, and the database's error when the
 * migrations fail.
 */
export async function startService(options: StartServiceOptions): Promise<RunningService> {
  const o = resolveOptions(options);
  const logger = options.logger ?? pino({ name: o.name });
  const ownPool = o.pool === undefined;
  const pool = o.pool ?? new pg.Pool({ connectionString: o.databaseUrl, max: o.poolSize });
  // An idle pooled connection the server drops must not crash the process.
  const onPoolError = (err: Error) => logger.error({ err }, 'idle database connection failed');
  pool.on('error', onPoolError);
  const resources = new ServiceResources(pool, logger);
  const kafka = createKafka(o.kafkaBrokers, o.clientId, logger);
  const admin = new KafkaAdmin(kafka);
  const release = async () => {
    await resources.close();
    await admin.close();
    pool.off('error', onPoolError);
    if (ownPool) await pool.end().catch(() => {});
  };

  let server: Server;
  const runtimes = new Map<string, ConsumerRuntime>();
  try {
    if (o.migrate) await migrate(pool, o.migrations, logger);
    for (const consumer of o.consumers) {
      runtimes.set(
        consumer.name,
        new ConsumerRuntime({ consumer, pool, kafka, admin, tuning: o.tuning, logger }),
      );
    }
    const routes =
      typeof o.routes === 'function' ? await o.routes(resources.context) : (o.routes ?? []);
    const status = () => readStatus(runtimes, o);
    const builtin: Entry[] = [
      {
        builtin: true,
        route: get('/healthz', async () => {
          await pool.query('SELECT 1');
          return { status: 'ok' };
        }),
      },
      {
        builtin: true,
        route: get('/status', async () => {
          const figures = await status();
          return json(figures, { status: figures.error === undefined ? 200 : 503 });
        }),
      },
      { builtin: true, route: appliedRoute(pool, o.consumers) },
    ];
    const router = new Router([...builtin, ...routes.map((route) => ({ route, builtin: false }))]);
    server = createHttpServer({ router, pool, logger, http: o.http });
    resources.start();
    await listen(server, o.port, o.host);
  } catch (err) {
    await release();
    throw err;
  }

  const { port } = server.address() as AddressInfo;
  const url = `http://${urlHost(o.host)}:${port}`;
  logger.info(
    {
      url,
      port,
      consumers: o.consumers.map(({ name, topic, group }) => ({ name, topic, group })),
      database: databaseWhere(o.databaseUrl),
    },
    'service listening',
  );
  if (o.consume) for (const runtime of runtimes.values()) runtime.start();

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await Promise.all([...runtimes.values()].map((r) => r.stop()));
      await stopServer(server, o.shutdownGraceMs);
      await release();
      logger.info('service stopped');
    })());

  return {
    url,
    port,
    status: () => readStatus(runtimes, o),
    replayDeadLetters: (selection = {}) => replayLetters(pool, o.consumers, selection, logger),
    rebuild: (name) => rebuild(runtimes, name, { pool, admin, logger }),
    close,
  };
}

async function readStatus(
  runtimes: Map<string, ConsumerRuntime>,
  o: ResolvedOptions,
): Promise<ServiceStatus> {
  const consumers = await Promise.all(
    [...runtimes.values()].map((r) => r.status(o.statusTimeoutMs)),
  );
  return serviceStatus(consumers, { maxLag: o.maxLag, maxBehindMs: o.maxBehindMs });
}

async function rebuild(
  runtimes: Map<string, ConsumerRuntime>,
  name: string,
  deps: { pool: pg.Pool; admin: KafkaAdmin; logger: Logger },
) {
  const runtime = runtimes.get(name);
  if (!runtime) {
    throw configError(
      `no consumer "${name}" in this service: ${[...runtimes.keys()].join(', ') || 'none'}`,
    );
  }
  const log = deps.logger.child({ consumer: name });
  const wasRunning = runtime.running;
  log.info('rebuild: stopping the consumer');
  await runtime.stop('rebuilding');
  try {
    return await resetConsumer(deps.pool, deps.admin, runtime.consumer, log);
  } finally {
    if (wasRunning) runtime.start();
    else await runtime.stop();
  }
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

/** Stops accepting, lets requests in flight finish for up to `graceMs`, then cuts what is left. */
function stopServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
