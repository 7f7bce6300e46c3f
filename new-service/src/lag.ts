import type { Pool } from 'pg';
import { countDeadLetters } from './adapters/deadLetters.js';
import { loadCheckpoints } from './adapters/messaging.js';
import type { TopicOffsets } from './adapters/topicOffsets.js';
import type { ConsumeOutcome, ConsumerState, PartitionStatus, ServiceStatus } from './types.js';

export interface StatusSources {
  pool: Pool;
  offsets: TopicOffsets;
  topic: string;
  group: string;
  consumerState(): ConsumerState;
  /** Messages processed since start, by outcome. */
  counts: Record<ConsumeOutcome, number>;
  /** Longest the figures may take before the answer says why they are missing. */
  timeoutMs: number;
}

/**
 * How far the model is behind the topic: per partition the stored next offset (what the model
 * reflects, from the database, whichever instance applied it) against the high watermark.
 */
export async function readStatus(sources: StatusSources): Promise<ServiceStatus> {
  const { pool, offsets, topic, group, timeoutMs } = sources;
  const base = {
    topic,
    group,
    consumer: sources.consumerState(),
    messages: { ...sources.counts },
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const [watermarks, stored, deadLetters] = await Promise.race([
      Promise.all([
        offsets.watermarks().catch((err: unknown) => failed('Kafka', err)),
        loadCheckpoints(pool, topic).catch((err: unknown) => failed('database', err)),
        countDeadLetters(pool).catch((err: unknown) => failed('database', err)),
      ]),
      timeout,
    ]);
    const partitions: PartitionStatus[] = [...watermarks]
      .sort(([a], [b]) => a - b)
      .map(([partition, { low, high }]) => {
        const next = stored.get(partition);
        const lag = Number(high) - Number(next ?? low);
        return {
          partition,
          nextOffset: next === undefined ? null : Number(next),
          highWatermark: Number(high),
          lowWatermark: Number(low),
          lag: Math.max(lag, 0),
        };
      });
    const lag = partitions.reduce((sum, p) => sum + p.lag, 0);
    const checkedAt = new Date().toISOString();
    return { ...base, partitions, lag, caughtUp: lag === 0, deadLetters, checkedAt };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    const checkedAt = new Date().toISOString();
    return {
      ...base,
      partitions: [],
      lag: null,
      caughtUp: false,
      deadLetters: null,
      error,
      checkedAt,
    };
  } finally {
    clearTimeout(timer);
  }
}

function failed(what: string, err: unknown): never {
  throw new Error(`${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}
