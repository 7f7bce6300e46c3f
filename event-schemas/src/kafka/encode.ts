import { producedEnvelopeSchema } from '../envelope.js';
import { EventSchemaError } from '../errors.js';
import type { CatalogIndex } from '../catalog.js';
import { withHint } from '../create.js';
import { preview, toEventIssues } from '../issues.js';
import type { EventEnvelope, KafkaOutgoingMessage } from '../types.js';
import { isValidated } from '../validated.js';
import { ATTRIBUTE_PREFIX, CONTENT_TYPE } from './headers.js';

/** Header order: the required attributes first, so a human reading headers sees them at once. */
const HEADER_ORDER = [
  'specversion',
  'id',
  'source',
  'type',
  'time',
  'subject',
  'dataschema',
  'partitionkey',
  'sourceposition',
  'sourcetx',
  'causationid',
  'correlationid',
] as const;

/**
 * Encodes an event in the CloudEvents Kafka binary content mode: `data` as JSON in the value, each
 * attribute as a `ce_<name>` header, `datacontenttype` as `content-type`, and `partitionkey` (the
 * aggregate id) as the key, so one aggregate's events share a partition and keep their order.
 *
 * An event made by `createEvent` (validated, `data` included, and frozen) is encoded as it is;
 * any other is validated first: the envelope strictly, its type in the catalog, its data against
 * the writer schema and its `partitionkey` against the aggregate id.
 *
 * @throws EventSchemaError `INVALID_ENVELOPE`, `UNKNOWN_TYPE` or `INVALID_DATA`.
 */
export function toKafkaMessageIn(
  catalog: CatalogIndex,
  event: EventEnvelope,
): KafkaOutgoingMessage {
  if (isValidated(event, catalog)) return encode(event);
  const context = {
    ...(typeof event?.type === 'string' ? { eventType: event.type } : {}),
    ...(typeof event?.id === 'string' ? { eventId: event.id } : {}),
  };
  const summary = 'Cannot encode event for Kafka';
  const checked = producedEnvelopeSchema.safeParse(event);
  if (!checked.success) {
    const issues = toEventIssues(checked.error, event);
    throw new EventSchemaError('INVALID_ENVELOPE', summary, { ...context, issues });
  }
  const envelope = checked.data as EventEnvelope;
  const definition = catalog.find(envelope.type);
  if (!definition) {
    const message = withHint(
      catalog,
      envelope.type,
      `"${envelope.type}" is not in the event catalog`,
    );
    const issues = [{ path: 'type', code: 'unknown_type', message }];
    throw new EventSchemaError('UNKNOWN_TYPE', summary, { ...context, issues });
  }
  const data = definition.strictSchema.safeParse(envelope.data);
  if (!data.success) {
    const issues = toEventIssues(data.error, envelope.data, ['data']);
    throw new EventSchemaError('INVALID_DATA', summary, { ...context, issues });
  }
  const aggregateId = definition.aggregateId(data.data);
  if (envelope.partitionkey !== aggregateId) {
    const message = `must equal the aggregate id ${preview(aggregateId)} (got ${preview(envelope.partitionkey)})`;
    const issues = [{ path: 'partitionkey', code: 'partitionkey_mismatch', message }];
    throw new EventSchemaError('INVALID_ENVELOPE', summary, { ...context, issues });
  }
  return encode({ ...envelope, data: data.data }, context);
}

function encode(
  envelope: EventEnvelope,
  context: Record<string, string> = {},
): KafkaOutgoingMessage {
  let value: string | undefined;
  let cause: unknown;
  try {
    value = JSON.stringify(envelope.data) as string | undefined;
  } catch (error) {
    cause = error;
  }
  if (value === undefined) {
    const reason = cause instanceof Error ? ` (${cause.message})` : '';
    const issues = [
      { path: 'data', code: 'not_json', message: `is not JSON-serialisable${reason}` },
    ];
    throw new EventSchemaError(
      'INVALID_DATA',
      'Cannot encode event for Kafka',
      { ...context, issues },
      { cause },
    );
  }

  const headers: Record<string, string> = {};
  for (const name of HEADER_ORDER) {
    const attribute = envelope[name];
    if (attribute !== undefined) headers[`${ATTRIBUTE_PREFIX}${name}`] = attribute;
  }
  headers[CONTENT_TYPE] = envelope.datacontenttype;
  return { key: envelope.partitionkey, value, headers };
}
