import type { CatalogIndex } from './catalog.js';
import { producedEnvelopeSchema } from './envelope.js';
import { EventSchemaError } from './errors.js';
import { toEventIssues } from './issues.js';
import type { CreateEventAttributes, EventEnvelope } from './types.js';
import { markValidated } from './validated.js';

const OPTIONAL_ATTRIBUTES = [
  'dataschema',
  'sourceposition',
  'sourcetx',
  'causationid',
  'correlationid',
] as const;
const ACCEPTED = new Set<string>(['id', 'source', 'time', ...OPTIONAL_ATTRIBUTES]);
const DERIVED = new Set(['subject', 'partitionkey']);

/**
 * Builds a current-version event of the catalog and validates it as a producer must: `data`
 * against the writer schema (unknown fields refused, so a typo in a mapping fails here and not in
 * a consumer), the envelope strictly. `subject` and `partitionkey` are set to the aggregate id.
 *
 * @throws EventSchemaError `UNKNOWN_TYPE`, `INVALID_DATA`, `INVALID_ENVELOPE` or `INVALID_ARGUMENT`.
 */
export function createEventIn(
  catalog: CatalogIndex,
  type: string,
  data: unknown,
  attributes: CreateEventAttributes,
): EventEnvelope {
  const definition = catalog.find(type);
  if (!definition) {
    const message = `"${type}" is not in the event catalog`;
    const issues = [
      { path: 'type', code: 'unknown_type', message: withHint(catalog, type, message) },
    ];
    throw new EventSchemaError('UNKNOWN_TYPE', 'Cannot create event', { eventType: type, issues });
  }
  if (catalog.lineage(type).length > 0) {
    const current = catalog.lineage(type).at(-1)!.type;
    const issues = [
      {
        path: 'type',
        code: 'not_current',
        message: `is an old version: producers create ${current}`,
      },
    ];
    throw new EventSchemaError('UNKNOWN_TYPE', 'Cannot create event', { eventType: type, issues });
  }
  if (typeof attributes !== 'object' || attributes === null) {
    const issues = [
      {
        path: '',
        code: 'invalid_type',
        message: 'attributes must be an object { id, source, time }',
      },
    ];
    throw new EventSchemaError('INVALID_ARGUMENT', `Cannot create ${type}`, {
      eventType: type,
      issues,
    });
  }
  const context = { eventType: type, eventId: attributes.id, eventSource: attributes.source };
  rejectUnknownAttributes(attributes, context);

  const parsed = definition.strictSchema.safeParse(data);
  if (!parsed.success) {
    const issues = toEventIssues(parsed.error, data, ['data']);
    throw new EventSchemaError('INVALID_DATA', `Cannot create ${type}`, { ...context, issues });
  }
  const aggregateId = definition.aggregateId(parsed.data);

  const envelope: Record<string, unknown> = {
    specversion: '1.0',
    id: attributes.id,
    source: attributes.source,
    type,
    subject: aggregateId,
    time: timeOf(attributes.time),
    datacontenttype: 'application/json',
  };
  for (const name of OPTIONAL_ATTRIBUTES) {
    if (attributes[name] !== undefined) envelope[name] = attributes[name];
  }
  envelope.partitionkey = aggregateId;
  envelope.data = parsed.data;

  const checked = producedEnvelopeSchema.safeParse(envelope);
  if (!checked.success) {
    const issues = toEventIssues(checked.error, envelope);
    throw new EventSchemaError('INVALID_ENVELOPE', `Cannot create ${type}`, { ...context, issues });
  }
  return markValidated(envelope, catalog) as unknown as EventEnvelope;
}

/** Plain-JS callers get told, instead of an attribute silently vanishing. */
function rejectUnknownAttributes(attributes: object, context: Record<string, string>): void {
  const issues = Object.keys(attributes)
    .filter((name) => !ACCEPTED.has(name))
    .map((name) => ({
      path: name,
      code: 'unrecognized_attribute',
      message: DERIVED.has(name)
        ? 'is set by createEvent to the aggregate id and cannot be given'
        : `is not an attribute of this catalog (accepted: ${[...ACCEPTED].join(', ')})`,
    }));
  if (issues.length > 0) {
    throw new EventSchemaError('INVALID_ARGUMENT', `Cannot create ${context.eventType}`, {
      ...context,
      issues,
    });
  }
}

/** A Date becomes its ISO string; an invalid Date is left for the schema to name. */
function timeOf(time: string | Date): unknown {
  if (!(time instanceof Date)) return time;
  return Number.isNaN(time.getTime()) ? 'Invalid Date' : time.toISOString();
}

/** The message, plus the other versions the catalog has of that event. */
export function withHint(catalog: CatalogIndex, type: string, message: string): string {
  const others = catalog.otherVersions(type);
  return others.length > 0 ? `${message}; the catalog has ${others.join(', ')}` : message;
}
