import { consumedEnvelopeSchema, withoutNullAttributes } from './envelope.js';
import { EventSchemaError } from './errors.js';
import { toEventIssues } from './issues.js';
import type { CloudEvent } from './types.js';

/**
 * Validates the envelope of a CloudEvent in JSON format (null attributes count as absent) and
 * leaves `data` alone: the part shared by {@link parseEvent} and the Kafka decoder.
 */
export function checkEnvelope(input: unknown): CloudEvent | EventSchemaError {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    const got = input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input;
    const issues = [
      { path: '', code: 'invalid_type', message: `must be a JSON object (got ${got})` },
    ];
    return new EventSchemaError('INVALID_ENVELOPE', 'Invalid CloudEvent', { issues });
  }
  const candidate = withoutNullAttributes(input as Record<string, unknown>);
  const parsed = consumedEnvelopeSchema.safeParse(candidate);
  if (parsed.success) return parsed.data as CloudEvent;
  const context = readableContext(candidate);
  const from = context.eventSource === undefined ? '' : ` from ${context.eventSource}`;
  const label =
    context.eventId === undefined
      ? `CloudEvent${from}`
      : `envelope of event ${context.eventId}${from}`;
  const issues = toEventIssues(parsed.error, candidate);
  return new EventSchemaError('INVALID_ENVELOPE', `Invalid ${label}`, { ...context, issues });
}

/** Whatever identifying attributes can be read from an event that failed validation. */
function readableContext(candidate: Record<string, unknown>) {
  const pick = (name: string) =>
    typeof candidate[name] === 'string' ? (candidate[name] as string) : undefined;
  const context: { eventType?: string; eventId?: string; eventSource?: string } = {};
  const [eventType, eventId, eventSource] = [pick('type'), pick('id'), pick('source')];
  if (eventType !== undefined) context.eventType = eventType;
  if (eventId !== undefined) context.eventId = eventId;
  if (eventSource !== undefined) context.eventSource = eventSource;
  return context;
}
