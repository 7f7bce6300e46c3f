import { findDefinition, otherVersions } from './catalog.js';
import { KNOWN_ATTRIBUTES } from './envelope.js';
import { checkEnvelope } from './envelope-check.js';
import { EventSchemaError } from './errors.js';
import { preview, toEventIssues } from './issues.js';
import type { CloudEvent, DomainEvent, ExtensionValue, ParseResult } from './types.js';

/**
 * Validates a CloudEvent in JSON format (from {@link fromKafkaMessage}, a dead-letter row, an
 * outbox) against the envelope rules and the catalog, and returns the typed event.
 *
 * Never throws for bad input: the result says which stage refused it (`INVALID_ENVELOPE`,
 * `UNKNOWN_TYPE`, `INVALID_DATA`), which fields and why, so the consumer can dead-letter the
 * message and carry on.
 */
export function parseEvent(input: unknown): ParseResult {
  const envelope = checkEnvelope(input);
  return envelope instanceof EventSchemaError
    ? { ok: false, error: envelope }
    : resolveEvent(envelope);
}

/** The catalog half of {@link parseEvent}, for an envelope already checked by {@link checkEnvelope}. */
export function resolveEvent(envelope: CloudEvent): ParseResult {
  const context = { eventType: envelope.type, eventId: envelope.id, eventSource: envelope.source };
  const label = `event ${envelope.id} from ${envelope.source}`;

  const definition = findDefinition(envelope.type);
  if (!definition) {
    const others = otherVersions(envelope.type);
    const hint = others.length > 0 ? `; the catalog has ${others.join(', ')}` : '';
    const message = `type "${envelope.type}" is not in the event catalog${hint}`;
    const issues = [{ path: 'type', code: 'unknown_type', message }];
    return {
      ok: false,
      error: new EventSchemaError('UNKNOWN_TYPE', `Unknown event type in ${label}`, {
        ...context,
        issues,
      }),
    };
  }

  const data = definition.schema.safeParse(envelope.data);
  if (!data.success) {
    const issues = toEventIssues(data.error, envelope.data, ['data']);
    return {
      ok: false,
      error: new EventSchemaError('INVALID_DATA', `Invalid data in ${envelope.type} ${label}`, {
        ...context,
        issues,
      }),
    };
  }

  const aggregateId = definition.aggregateId(data.data);
  if (envelope.partitionkey !== undefined && envelope.partitionkey !== aggregateId) {
    const message = `must equal the aggregate id ${preview(aggregateId)} so the aggregate's events share a partition (got ${preview(envelope.partitionkey)})`;
    const issues = [{ path: 'partitionkey', code: 'partitionkey_mismatch', message }];
    return {
      ok: false,
      error: new EventSchemaError('INVALID_ENVELOPE', `Invalid envelope of ${label}`, {
        ...context,
        issues,
      }),
    };
  }

  const { datacontenttype: _contentType, data: _data, ...attributes } = envelope;
  const extensions: Record<string, ExtensionValue> = {};
  const known: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (KNOWN_ATTRIBUTES.has(name)) known[name] = value;
    else extensions[name] = value as ExtensionValue;
  }
  // Every catalog entry is the current version today, so data needs no upcasting; when a v2
  // lands, this is where an old version is lifted to the current one before it is returned.
  const event = {
    ...known,
    datacontenttype: 'application/json',
    partitionkey: aggregateId,
    data: data.data,
  } as unknown as DomainEvent;
  return { ok: true, event, extensions };
}
