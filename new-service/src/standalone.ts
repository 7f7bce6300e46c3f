import pg from 'pg';
import { pino } from 'pino';
import { configError } from './errors.js';
import { KafkaAdmin } from './kafka/admin.js';
import { createKafka } from './kafka/client.js';
import { checkConsumers, checkDatabaseUrl } from './options.js';
import { migrate } from './postgres/schema.js';
import { resetConsumer } from './runtime/rebuild.js';
import { checkSelection, replayLetters } from './runtime/replay-dead-letters.js';
import type { RebuildOptions, RebuildResult, ReplayOptions, ReplayResult } from './types.js';

function poolOf(options: { pool?: pg.Pool; databaseUrl?: string }): pg.Pool {
  if (options.pool) return options.pool;
  if (!options.databaseUrl) throw configError('databaseUrl is required unless a pool is given');
  checkDatabaseUrl(options.databaseUrl);
  return new pg.Pool({ connectionString: options.databaseUrl, max: 2 });
}

/**
 * Applies the dead letters again through their consumers' handlers, oldest first, once their cause
 * is fixed. Safe while the service runs: each letter is one transaction, with the same locks.
 */
export async function replayDeadLetters(options: ReplayOptions): Promise<ReplayResult[]> {
  const consumers = checkConsumers(options.consumers ?? []);
  checkSelection(consumers, options);
  const logger = options.logger ?? pino({ name: 'new-service' });
  const pool = poolOf(options);
  try {
    await migrate(pool, options.migrations ?? [], logger);
    return await replayLetters(pool, consumers, options, logger);
  } finally {
    if (!options.pool) await pool.end();
  }
}

/**
 * Rebuilds a consumer's projection from the start of its topic, while no instance consumes it:
 * refused with a `conflict` NewServiceError while its Kafka group has active members. The next
 * start of the service consumes the topic from its low watermark.
 */
export async function rebuildConsumer(options: RebuildOptions): Promise<RebuildResult> {
  const [consumer] = checkConsumers([options.consumer]);
  const logger = options.logger ?? pino({ name: 'new-service' });
  const pool = poolOf(options);
  const kafka = createKafka(options.kafkaBrokers, options.clientId ?? 'strangler-rebuild', logger);
  const admin = new KafkaAdmin(kafka);
  try {
    await migrate(pool, options.migrations ?? [], logger);
    return await resetConsumer(pool, admin, consumer!, logger.child({ consumer: consumer!.name }));
  } finally {
    await admin.close();
    if (!options.pool) await pool.end();
  }
}
