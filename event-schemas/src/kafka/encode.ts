import { producedEnvelopeSchema } from '../envelope.js';
import { EventSchemaError } from '../errors.js';
import { toEventIssues } from '../issues.js';
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
 * The envelope is validated strictly, unless the event came from {@link createEvent} (which
 * validated it, `data` included, and froze it).
 *
 * @throws EventSchemaError `INVALID_ENVELOPE` or, for data that is not JSON-serialisable, `INVALID_DATA`.
 */
export function toKafkaMessage(event: EventEnvelope): KafkaOutgoingMessage {
  if (isValidated(event)) return encode(event);
  const checked = producedEnvelopeSchema.safeParse(event);
  const context = {
    ...(typeof event?.type === 'string' ? { eventType: event.type } : {}),
    ...(typeof event?.id === 'string' ? { eventId: event.id } : {}),
  };
  if (!checked.success) {
    const issues = toEventIssues(checked.error, event);
    throw new EventSchemaError('INVALID_ENVELOPE', 'Cannot encode event for Kafka', {
      ...context,
      issues,
    });
  }
  return encode(checked.data as EventEnvelope, context);
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
