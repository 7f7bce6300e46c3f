import type { CatalogIndex } from './catalog.js';
import { withHint } from './create.js';
import { KNOWN_ATTRIBUTES } from './envelope.js';
import { checkEnvelope } from './envelope-check.js';
import { EventSchemaError } from './errors.js';
import { preview, toEventIssues } from './issues.js';
import type {
  AnyEventDefinition,
  CloudEvent,
  EventEnvelope,
  EventIssue,
  ExtensionValue,
  ParseResult,
} from './types.js';

/**
 * Validates a CloudEvent in JSON format (from `fromKafkaMessage`, a dead-letter row, an outbox)
 * against the envelope rules and the catalog, and returns the typed event in its current version.
 *
 * Never throws for bad input: the result says which stage refused it (`INVALID_ENVELOPE`,
 * `UNKNOWN_TYPE`, `INVALID_DATA`), which fields and why, so the consumer can dead-letter the
 * message and carry on.
 */
export function parseEventIn(catalog: CatalogIndex, input: unknown): ParseResult {
  const envelope = checkEnvelope(input);
  return envelope instanceof EventSchemaError
    ? { ok: false, error: envelope }
    : resolveEvent(catalog, envelope);
}

type Context = { eventType: string; eventId: string; eventSource: string };

/** The catalog half of parsing, for an envelope already checked by {@link checkEnvelope}. */
export function resolveEvent(catalog: CatalogIndex, envelope: CloudEvent): ParseResult {
  const context: Context = {
    eventType: envelope.type,
    eventId: envelope.id,
    eventSource: envelope.source,
  };
  const label = `event ${envelope.id} from ${envelope.source}`;
  const refuse = (
    code: 'UNKNOWN_TYPE' | 'INVALID_DATA' | 'INVALID_ENVELOPE',
    summary: string,
    issues: EventIssue[],
  ): ParseResult => ({
    ok: false,
    error: new EventSchemaError(code, summary, { ...context, issues }),
  });

  const definition = catalog.find(envelope.type);
  if (!definition) {
    const message = withHint(
      catalog,
      envelope.type,
      `type "${envelope.type}" is not in the event catalog`,
    );
    return refuse('UNKNOWN_TYPE', `Unknown event type in ${label}`, [
      { path: 'type', code: 'unknown_type', message },
    ]);
  }

  const data = definition.schema.safeParse(envelope.data);
  if (!data.success) {
    const issues = toEventIssues(data.error, envelope.data, ['data']);
    return refuse('INVALID_DATA', `Invalid data in ${envelope.type} ${label}`, issues);
  }

  // The key is checked on the data as it arrived: that is what the producer partitioned by.
  const aggregateId = aggregateIdOf(definition, data.data);
  if (aggregateId instanceof Error) {
    return refuse('INVALID_DATA', `Invalid data in ${envelope.type} ${label}`, [
      {
        path: 'data',
        code: 'aggregate_id_failed',
        message: `the aggregate id cannot be read: ${aggregateId.message}`,
      },
    ]);
  }
  if (envelope.partitionkey !== undefined && envelope.partitionkey !== aggregateId) {
    const message = `must equal the aggregate id ${preview(aggregateId)} so the aggregate's events share a partition (got ${preview(envelope.partitionkey)})`;
    return refuse('INVALID_ENVELOPE', `Invalid envelope of ${label}`, [
      { path: 'partitionkey', code: 'partitionkey_mismatch', message },
    ]);
  }

  const steps = catalog.lineage(envelope.type);
  let current: AnyEventDefinition = definition;
  let value: unknown = data.data;
  for (const step of steps) {
    const lifted = upcast(step, current, value);
    if (!lifted.ok)
      return refuse('INVALID_DATA', `Cannot upcast ${envelope.type} ${label}`, lifted.issues);
    current = step;
    value = lifted.data;
  }

  const { datacontenttype: _contentType, data: _data, ...attributes } = envelope;
  const extensions: Record<string, ExtensionValue> = {};
  const known: Record<string, unknown> = {};
  for (const [name, attribute] of Object.entries(attributes)) {
    if (KNOWN_ATTRIBUTES.has(name)) known[name] = attribute;
    else extensions[name] = attribute as ExtensionValue;
  }
  if (steps.length > 0) {
    known.type = current.type;
    // The schema the data adhered to is the old version's; it no longer describes the data.
    delete known.dataschema;
  }
  const event = {
    ...known,
    datacontenttype: 'application/json',
    partitionkey: aggregateId,
    data: value,
  } as unknown as EventEnvelope;
  return steps.length > 0
    ? { ok: true, event, extensions, upcastFrom: envelope.type }
    : { ok: true, event, extensions };
}

/** One upcasting step, its result checked against the newer version's schema. */
function upcast(
  to: AnyEventDefinition,
  from: AnyEventDefinition,
  data: unknown,
): { ok: true; data: unknown } | { ok: false; issues: EventIssue[] } {
  let lifted: unknown;
  try {
    lifted = (to.upcast as (data: unknown) => unknown)(data);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return {
      ok: false,
      issues: [
        {
          path: 'data',
          code: 'upcast_failed',
          message: `upcast from v${from.version} to v${to.version} threw: ${why}`,
        },
      ],
    };
  }
  const parsed = to.schema.safeParse(lifted);
  if (parsed.success) return { ok: true, data: parsed.data };
  const issues = toEventIssues(parsed.error, lifted, ['data']).map((issue) => ({
    ...issue,
    message: `${issue.message} (after upcasting from v${from.version} to v${to.version})`,
  }));
  return { ok: false, issues };
}

/** A user's aggregateId function that throws must not break "parse never throws". */
function aggregateIdOf(definition: AnyEventDefinition, data: unknown): string | Error {
  try {
    const id: unknown = definition.aggregateId(data);
    return typeof id === 'string' && id !== ''
      ? id
      : new Error(`got ${preview(id)}, not a non-empty string`);
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}
