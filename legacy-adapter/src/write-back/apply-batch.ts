import type { AnyCatalog, EventEnvelope, KafkaIncomingMessage } from '@strangler/event-schemas';
import type pg from 'pg';
import { LegacyAdapterError } from '../errors.js';
import type { WriteBackMapping, WriteBackTransaction } from '../types.js';
import {
  ensureOrigin,
  holdOrigin,
  originName,
  originProgress,
  recordProgress,
  releaseOrigin,
} from './origin.js';

export interface BatchTarget {
  pool: pg.Pool;
  catalog: AnyCatalog;
  mapping: WriteBackMapping;
  sources: ReadonlySet<string> | null;
  origin: string;
  topic: string;
  partition: number;
}

export interface BatchResult {
  applied: number;
  skipped: number;
  /** The offset of the next event, as now committed in legacy. */
  nextOffset: bigint;
}

type Message = KafkaIncomingMessage & { offset: string };

/**
 * Applies the messages of one partition (in offset order) to legacy in ONE transaction, under
 * the partition's replication origin: the progress commits with the writes, and messages below
 * it (applied before a crash or a rebalance) are passed over. Throws, with nothing committed,
 * when a message cannot be decoded or applied.
 */
export async function applyBatch(
  t: BatchTarget,
  messages: readonly Message[],
): Promise<BatchResult> {
  const client = await t.pool.connect();
  const name = originName(t.origin, t.topic, t.partition);
  let broken: Error | undefined;
  let held = false;
  try {
    await ensureOrigin(client, name);
    await holdOrigin(client, name);
    held = true;
    const done = await originProgress(client);
    const todo = messages.filter((m) => BigInt(m.offset) >= done);
    const last = todo.at(-1);
    if (!last) return { applied: 0, skipped: messages.length, nextOffset: done };
    let applied = 0;
    await client.query('BEGIN');
    try {
      const tx: WriteBackTransaction = {
        query: (text, values) => client.query(text, values) as never,
      };
      for (const message of todo) {
        const parsed = t.catalog.parseKafkaMessage(message);
        if (!parsed.ok) {
          throw new LegacyAdapterError(
            'WRITE_BACK_FAILED',
            `${where(t, message)} is not an event of the catalog: ${parsed.error.message}`,
          );
        }
        const event = parsed.event as EventEnvelope;
        if (t.sources && !t.sources.has(event.source)) continue;
        try {
          await t.mapping.apply(event as never, tx);
        } catch (e) {
          throw new LegacyAdapterError(
            'WRITE_BACK_FAILED',
            `${where(t, message)} (${event.type}, id ${event.id}) could not be applied: ${(e as Error).message}`,
            { cause: e, retriable: true },
          );
        }
        applied++;
      }
      const nextOffset = BigInt(last.offset) + 1n;
      await recordProgress(client, nextOffset);
      await client.query('COMMIT');
      return { applied, skipped: messages.length - applied, nextOffset };
    } catch (e) {
      await client.query('ROLLBACK').catch((r: Error) => (broken = r));
      throw e;
    }
  } finally {
    // A connection that still holds the origin would keep every other session out of it.
    if (held && !broken) await releaseOrigin(client).catch((r: Error) => (broken = r));
    client.release(broken);
  }
}

const where = (t: BatchTarget, m: Message) => `message ${t.topic}/${t.partition}@${m.offset}`;
