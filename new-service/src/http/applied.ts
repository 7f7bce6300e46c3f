import type { Pool } from 'pg';
import { badRequest, notFound } from '../errors.js';
import { loadCheckpoints } from '../postgres/checkpoints.js';
import type { AnyConsumer, Route } from '../types.js';
import { get } from './router.js';
import { json } from './reply.js';

/** Where each consumer of the topic stands against the offsets asked for. */
interface Behind {
  consumer: string;
  partition: number;
  applied: string;
  wanted: string;
}

/**
 * `GET /applied?topic=T&offsets=0:42,1:7`: 200 once every consumer of the service that reads T
 * has applied (or dead-lettered) everything before those offsets, else 409 with where each one
 * stands. What the proxy's write barrier asks before moving a group's writes to this service.
 */
export function appliedRoute(pool: Pool, consumers: readonly AnyConsumer[]): Route {
  return get('/applied', async ({ query }) => {
    const topic = query.topic;
    if (typeof topic !== 'string' || topic === '') {
      throw badRequest('give the topic: /applied?topic=<name>&offsets=<partition>:<offset>,...');
    }
    const wanted = parseOffsets(query.offsets);
    const readers = consumers.filter((c) => c.topic === topic);
    if (readers.length === 0) throw notFound(`no consumer of this service reads topic "${topic}"`);
    const behind: Behind[] = [];
    for (const consumer of readers) {
      const stored = await loadCheckpoints(pool, consumer.name, topic);
      for (const [partition, offset] of wanted) {
        const applied = BigInt(stored.get(partition)?.nextOffset ?? '0');
        if (applied < offset) {
          behind.push({
            consumer: consumer.name,
            partition,
            applied: String(applied),
            wanted: String(offset),
          });
        }
      }
    }
    return behind.length === 0
      ? { applied: true }
      : json({ applied: false, behind }, { status: 409 });
  });
}

function parseOffsets(value: unknown): Map<number, bigint> {
  const out = new Map<number, bigint>();
  if (typeof value !== 'string') {
    throw badRequest('give the offsets: offsets=<partition>:<next offset>,... e.g. 0:42,1:7');
  }
  for (const pair of value.split(',').filter(Boolean)) {
    const m = /^(\d{1,9}):(\d{1,19})$/.exec(pair.trim());
    if (!m) throw badRequest(`offsets: "${pair}" is not <partition>:<offset>, e.g. 0:42`);
    out.set(Number(m[1]), BigInt(m[2]!));
  }
  return out;
}
