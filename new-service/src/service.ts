import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { pino } from 'pino';
import { AvailabilityCache } from './adapters/availabilityCache.js';
import { createKafka } from './adapters/kafkaClient.js';
import { KafkaEventConsumer } from './adapters/kafkaConsumer.js';
import { migrate } from './adapters/schema.js';
import { TopicOffsets } from './adapters/topicOffsets.js';
import { bootstrap } from './bootstrap.js';
import { createHttpServer } from './entrypoints/http/server.js';
import { readStatus } from './lag.js';
import { resolveOptions } from './options.js';
import { readAvailability } from './views.js';
import type { NewServiceOptions, RunningNewService } from './types.js';

/**
 * Starts the new service in this process: schema, HTTP, and the consumer in the background (a
 * broker or topic that is not there yet is waited for; `/status` says so). Resolves once the HTTP
 * port is bound. Throws a `config` NewServiceError for bad options, and the database's error when
 * the schema cannot be created.
 */
export async function startNewService(options: NewServiceOptions): Promise<RunningNewService> {
  const o = resolveOptions(options);
  const logger = options.logger ?? pino({ name: 'new-service' });
  const ownPool = o.pool === undefined;
  const pool = o.pool ?? new pg.Pool({ connectionString: o.databaseUrl, max: o.poolSize });
  // An idle pooled connection the server drops must not crash the process.
  const onPoolError = (err: Error) => logger.error({ err }, 'idle database connection failed');
  pool.on('error', onPoolError);
  try {
    if (o.migrate) await migrate(pool);
  } catch (err) {
    if (ownPool) await pool.end().catch(() => {});
    throw err;
  }

  const kafka = createKafka(o.kafkaBrokers, o.clientId, logger);
  const offsets = new TopicOffsets(kafka, o.topic);
  const app = bootstrap({ pool, logger, topic: o.topic });
  const consumer = new KafkaEventConsumer({
    kafka,
    topic: o.topic,
    groupId: o.group,
    tuning: o.tuning,
    logger,
    offsets,
    storedOffset: async (partition) => {
      const { rows } = await pool.query<{ next_offset: string }>(
        'SELECT next_offset FROM consumer_checkpoint WHERE topic = $1 AND partition = $2',
        [o.topic, partition],
      );
      return rows[0]?.next_offset;
    },
    process: async (partition, messages) => {
      await app.consumeMany(partition, messages);
    },
  });
  const status = () =>
    readStatus({
      pool,
      offsets,
      topic: o.topic,
      group: o.group,
      consumerState: () => (o.consume ? consumer.state : 'disabled'),
      counts: app.counts,
      timeoutMs: 5000,
    });

  const cache = o.readCache
    ? new AvailabilityCache(pool, (sku) => readAvailability(pool, sku), { logger })
    : undefined;
  cache?.start();
  const server = createHttpServer({
    pool,
    status,
    logger,
    availability: (sku) => (cache ? cache.get(sku) : readAvailability(pool, sku)),
  });
  try {
    await listen(server, o.port, o.host);
  } catch (err) {
    await cache?.stop();
    if (ownPool) await pool.end().catch(() => {});
    throw err;
  }
  const { port } = server.address() as AddressInfo;
  const url = `http://${urlHost(o.host)}:${port}`;
  logger.info(
    { url, port, topic: o.topic, group: o.group, database: where(o.databaseUrl) },
    'new service listening',
  );
  if (o.consume) consumer.start();

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await consumer.stop();
      await stopServer(server, o.shutdownGraceMs);
      await cache?.stop();
      await offsets.close();
      pool.off('error', onPoolError);
      if (ownPool) await pool.end();
      logger.info('new service stopped');
    })());
  return { url, port, status, close };
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

/** Where the database is, never the password. */
function where(databaseUrl: string | undefined): Record<string, string> | undefined {
  if (!databaseUrl) return undefined;
  const url = new URL(databaseUrl);
  return {
    host: url.hostname || 'localhost',
    port: url.port || '5432',
    database: decodeURIComponent(url.pathname.slice(1)),
    user: decodeURIComponent(url.username),
  };
}
