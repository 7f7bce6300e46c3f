import type { Pool } from 'pg';
import { messageOf } from '../errors.js';
import type { KafkaAdmin } from '../kafka/admin.js';
import { loadCheckpoints } from '../postgres/checkpoints.js';
import { countDeadLetters } from '../postgres/dead-letters.js';
import type {
  AnyConsumer,
  ConsumeOutcome,
  ConsumerState,
  ConsumerStatus,
  PartitionStatus,
  ServiceStatus,
} from '../types.js';

export interface ConsumerStatusSources {
  consumer: AnyConsumer;
  pool: Pool;
  admin: KafkaAdmin;
  state: () => ConsumerState;
  /** The outcomes counted so far, once every batch already committing is counted. */
  counts: () => Promise<Record<ConsumeOutcome, number>>;
  /** Longest the figures may take before the answer says why they are missing. */
  timeoutMs: number;
}

/**
 * How far a consumer is behind its topic: per partition the stored next offset (what the
 * database reflects, whichever instance applied it) against the high watermark.
 */
export async function readConsumerStatus(sources: ConsumerStatusSources): Promise<ConsumerStatus> {
  const { consumer, pool, admin, timeoutMs } = sources;
  const base = async () => ({
    name: consumer.name,
    topic: consumer.topic,
    group: consumer.group,
    state: sources.state(),
    // Taken after the checkpoints were read, so the counts are never behind them.
    messages: await sources.counts(),
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const [watermarks, stored, deadLetters] = await Promise.race([
      Promise.all([
        admin.watermarks(consumer.topic).catch((err: unknown) => failed('Kafka', err)),
        loadCheckpoints(pool, consumer.name, consumer.topic).catch((err: unknown) =>
          failed('database', err),
        ),
        countDeadLetters(pool, consumer.name).catch((err: unknown) => failed('database', err)),
      ]),
      timeout,
    ]);
    const now = Date.now();
    const partitions: PartitionStatus[] = [...watermarks]
      .sort(([a], [b]) => a - b)
      .map(([partition, { low, high }]) => {
        const checkpoint = stored.get(partition);
        const next = checkpoint?.nextOffset;
        const lag = Math.max(Number(high) - Number(next ?? low), 0);
        const at = checkpoint?.messageTimestamp ?? null;
        return {
          partition,
          nextOffset: next === undefined ? null : Number(next),
          highWatermark: Number(high),
          lowWatermark: Number(low),
          lag,
          behindMs: lag === 0 ? 0 : at === null ? null : Math.max(now - at, 0),
        };
      });
    const lag = partitions.reduce((sum, p) => sum + p.lag, 0);
    return {
      ...(await base()),
      partitions,
      lag,
      behindMs: largest(partitions.map((p) => p.behindMs)),
      caughtUp: lag === 0,
      deadLetters,
    };
  } catch (err) {
    return {
      ...(await base()),
      partitions: [],
      lag: null,
      behindMs: null,
      caughtUp: false,
      deadLetters: null,
      error: messageOf(err),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** The largest figure, or null when one is unknown. */
function largest(values: (number | null)[]): number | null {
  return values.includes(null) ? null : Math.max(0, ...(values as number[]));
}

function failed(what: string, err: unknown): never {
  throw new Error(`${what}: ${messageOf(err)}`, { cause: err });
}

/** The service's figures: every consumer's, their summed lag, caughtUp and readiness. */
export function serviceStatus(
  consumers: ConsumerStatus[],
  readiness: { maxLag: number; maxBehindMs?: number | undefined },
): ServiceStatus {
  const failing = consumers.filter((c) => c.error !== undefined);
  const lag = failing.length > 0 ? null : consumers.reduce((sum, c) => sum + (c.lag ?? 0), 0);
  const behindMs = failing.length > 0 ? null : largest(consumers.map((c) => c.behindMs));
  const recent =
    readiness.maxBehindMs !== undefined && behindMs !== null && behindMs <= readiness.maxBehindMs;
  return {
    lag,
    behindMs,
    caughtUp: lag !== null && consumers.every((c) => c.caughtUp),
    ready: lag !== null && (lag <= readiness.maxLag || recent),
    consumers,
    ...(failing.length > 0
      ? { error: failing.map((c) => `${c.name}: ${c.error}`).join('; ') }
      : {}),
    checkedAt: new Date().toISOString(),
  };
}
