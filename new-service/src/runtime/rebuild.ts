import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { configError, NewServiceError } from '../errors.js';
import type { KafkaAdmin } from '../kafka/admin.js';
import { inTransaction } from '../postgres/transaction.js';
import type { AnyConsumer, RebuildResult } from '../types.js';

/**
 * Makes a consumer start over from the start of its topic: in ONE transaction its `reset(tx)`
 * empties what it built and its inbox rows, checkpoints and dead letters are deleted. Refused
 * (`conflict`) while its Kafka group has active members: one still consuming would go on from
 * the offset it holds in memory and apply events onto the emptied state.
 */
export async function resetConsumer(
  pool: Pool,
  admin: KafkaAdmin,
  consumer: AnyConsumer,
  logger: Logger,
): Promise<RebuildResult> {
  const { name, topic, group, reset } = consumer;
  if (!reset) {
    throw configError(
      `consumer "${name}" cannot be rebuilt: give it reset(tx), which empties what it built`,
    );
  }
  const members = await admin.groupMembers(group);
  if (members.length > 0) {
    const who = members.map((m) => `${m.clientId}@${m.clientHost}`).join(', ');
    throw new NewServiceError(
      'conflict',
      `consumer group "${group}" of "${name}" has ${members.length} active member(s) (${who}): stop every instance consuming it, then rebuild`,
    );
  }
  const watermarks = await admin.watermarks(topic);
  const removed = await inTransaction(pool, { synchronousCommit: true, logger }, async (tx) => {
    // Two rebuilds of one consumer run one after the other.
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`strangler-rebuild:${name}`]);
    await reset(tx);
    const count = async (table: string) =>
      (await tx.query(`DELETE FROM ${table} WHERE consumer = $1`, [name])).rowCount ?? 0;
    return {
      inbox: await count('strangler_inbox'),
      checkpoints: await count('strangler_checkpoint'),
      deadLetters: await count('strangler_dead_letter'),
    };
  });
  const partitions = [...watermarks]
    .sort(([a], [b]) => a - b)
    .map(([partition, { low, high }]) => ({
      partition,
      lowWatermark: Number(low),
      highWatermark: Number(high),
    }));
  const eventsDeletedByRetention = partitions.some((p) => p.lowWatermark > 0);
  const result = { consumer: name, topic, group, removed, partitions, eventsDeletedByRetention };
  if (eventsDeletedByRetention) {
    logger.warn(
      { ...result, partitions: partitions.filter((p) => p.lowWatermark > 0) },
      'rebuilding from a topic that no longer starts at offset 0: events deleted by retention are missing from the rebuilt state',
    );
  } else logger.info(result, 'consumer reset; it rebuilds from the start of its topic');
  return result;
}
