import { json, text } from '../columns/scalars.js';
import { LegacyAdapterError } from '../errors.js';
import type { Row } from '../pg/pgoutput.js';
import { checkMapper } from './define-mapper.js';
import type { AnyEventDraft, DraftEnvelope, Mapper, RowChange } from './types.js';

/** Options of {@link outboxMapper}. */
export interface OutboxMapperOptions {
  /** The outbox table, schema-qualified. Default `public.strangler_outbox` (the new-service kit's). */
  table?: string;
}

const HEADER_FIELDS = ['time', 'causationid', 'correlationid'] as const;

/**
 * Outbox mode, as a mapper: every row inserted into an outbox table is published as the event it
 * holds, in commit order. The table has Debezium's outbox layout, `id`, `aggregatetype`,
 * `aggregateid`, `type`, `payload` (the event's data as JSON), plus two optional columns: `source`
 * (the producer, else the adapter's `source`) and `headers` (a JSON object of `time`,
 * `causationid`, `correlationid`). The event keeps the row's id; its type and data are checked by
 * the catalog like any draft, and its Kafka key is the catalog's aggregate id. Updates and deletes
 * of the table publish nothing, so rows may be deleted in the transaction that wrote them.
 */
export function outboxMapper(options: OutboxMapperOptions = {}): Mapper {
  const table = options.table ?? 'public.strangler_outbox';
  return checkMapper(
    {
      tables: [table],
      mapChange: (change: RowChange) => (change.kind === 'insert' ? [outboxDraft(change.row)] : []),
    },
    'outboxMapper',
  );
}

/** The draft an outbox row describes; throws naming the column that is wrong. */
export function outboxDraft(row: Row): AnyEventDraft {
  for (const column of ['id', 'type', 'payload']) {
    if (!(column in row)) {
      throw new LegacyAdapterError(
        'INVALID_CONFIG',
        `the outbox table has no column "${column}": it needs id, aggregatetype, aggregateid, type and payload (Debezium's outbox layout)`,
      );
    }
  }
  const envelope: DraftEnvelope = { id: text(row, 'id') };
  const source = 'source' in row ? text.nullable(row, 'source') : null;
  if (source !== null) envelope.source = source;
  const headers = 'headers' in row ? json.nullable(row, 'headers') : null;
  if (headers !== null) {
    if (typeof headers !== 'object' || Array.isArray(headers)) {
      throw new Error(`column "headers" must hold a JSON object; got ${JSON.stringify(headers)}`);
    }
    for (const [field, value] of Object.entries(headers)) {
      if (!(HEADER_FIELDS as readonly string[]).includes(field)) {
        throw new Error(
          `column "headers" has "${field}"; it takes ${HEADER_FIELDS.join(', ')} (id and source have their own columns)`,
        );
      }
      if (typeof value !== 'string') {
        throw new Error(`column "headers" has ${field} ${JSON.stringify(value)}: not a string`);
      }
      envelope[field as (typeof HEADER_FIELDS)[number]] = value;
    }
  }
  return { type: text(row, 'type'), data: json(row, 'payload'), envelope };
}
