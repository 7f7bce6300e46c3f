import type { AnyCatalog, EventEnvelope } from '@strangler/event-schemas';
import type { Transaction } from '../types.js';

// Kept for a test or a tool that reads the table; the service leaves it empty.
const INSERT_SQL = `
  INSERT INTO strangler_outbox (id, aggregatetype, aggregateid, type, payload, source, headers)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::text[],
                       $7::jsonb[])`;

/**
 * Writes events to the outbox in the caller's transaction, in order, then deletes them again
 * there (unless `keep`): logical replication carries the inserts to the adapter's outbox mode all
 * the same, and nothing has to prune the table.
 */
export async function addToOutbox(
  tx: Transaction,
  catalog: AnyCatalog,
  events: readonly EventEnvelope[],
  options: { keep?: boolean } = {},
): Promise<void> {
  if (events.length === 0) return;
  const headers = (e: EventEnvelope) => {
    const h: Record<string, string> = { time: e.time };
    if (typeof e.causationid === 'string') h.causationid = e.causationid;
    if (typeof e.correlationid === 'string') h.correlationid = e.correlationid;
    return JSON.stringify(h);
  };
  await tx.query({
    name: 'strangler:outbox-add',
    text: INSERT_SQL,
    values: [
      events.map((e) => e.id),
      events.map((e) => catalog.find(e.type)?.aggregate ?? 'unknown'),
      events.map((e) => e.subject ?? ''),
      events.map((e) => e.type),
      events.map((e) => JSON.stringify(e.data)),
      events.map((e) => e.source),
      events.map(headers),
    ],
  });
  if (!options.keep) {
    await tx.query({
      name: 'strangler:outbox-delete',
      text: 'DELETE FROM strangler_outbox WHERE id = ANY($1::text[])',
      values: [events.map((e) => e.id)],
    });
  }
}
