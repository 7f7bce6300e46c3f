import {
  deterministicEventId,
  type AnyCatalog,
  type CreateEventAttributes,
  type EventEnvelope,
} from '@strangler/event-schemas';
import type { OutgoingMessage } from '../publish/kafka-publisher.js';
import type { DraftEnvelope } from './types.js';

/** Where the drafts of a change come from: the envelope attributes every event of it shares. */
export interface EventOrigin {
  source: string;
  /** Commit LSN, or `snapshot@<lsn>` for the initial load: with the index, the event id. */
  position: string;
  /** ISO 8601: the commit time (the snapshot's start for the initial load). */
  time: string;
  /** Source transaction id; null for snapshot rows. */
  xid: number | null;
}

/** A mapper result that is not a list of drafts, or a draft the catalog refused. */
export class DraftRefused extends Error {
  override readonly name = 'DraftRefused';
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Turns the drafts of one change into Kafka messages: each is made an event by the catalog's
 * `createEvent` (which validates it as a producer must: the one validation per event) with the
 * deterministic id of its position and index, so a replay repeats ids; then encoded by
 * `toKafkaMessage` (which trusts events made by `createEvent`). Throws `DraftRefused` naming the
 * draft; nothing is returned for a change with any bad draft.
 */
export function draftMessages(
  catalog: AnyCatalog,
  drafts: unknown,
  origin: EventOrigin,
  firstIndex: number,
  topic: string,
): OutgoingMessage[] {
  if (!Array.isArray(drafts)) {
    throw new DraftRefused(
      'INVALID_DRAFT',
      `the mapper returned ${describe(drafts)}; it must return an array of drafts { type, data } (or a promise of one)`,
    );
  }
  // Drafts are checked at run time (the catalog refuses an unknown type), not by the compiler.
  const createEvent = catalog.createEvent as (
    type: string,
    data: unknown,
    attributes: CreateEventAttributes,
  ) => EventEnvelope;
  const out: OutgoingMessage[] = [];
  for (let i = 0; i < drafts.length; i++) {
    const draft = drafts[i] as { type?: unknown; data?: unknown; envelope?: unknown } | null;
    const which = `draft ${i + 1} of ${drafts.length}`;
    if (typeof draft !== 'object' || draft === null || typeof draft.type !== 'string') {
      throw new DraftRefused(
        'INVALID_DRAFT',
        `${which} is ${describe(draft)}; a draft is { type, data } with type a string of the catalog`,
      );
    }
    const envelope = draftEnvelope(draft.envelope, which);
    let event;
    try {
      event = createEvent(draft.type, draft.data, {
        id: deterministicEventId(origin.source, origin.position, firstIndex + i),
        source: origin.source,
        time: origin.time,
        sourceposition: origin.position,
        ...(origin.xid === null ? {} : { sourcetx: String(origin.xid) }),
        ...envelope,
      });
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      throw new DraftRefused(
        typeof code === 'string' ? code : 'INVALID_DATA',
        `${which} (${draft.type}) was refused by the catalog: ${(e as Error).message}`,
        { cause: e },
      );
    }
    const message = catalog.toKafkaMessage(event);
    out.push({ topic, key: message.key, value: message.value, headers: message.headers });
  }
  return out;
}

const ENVELOPE_FIELDS = ['id', 'source', 'time', 'causationid', 'correlationid'] as const;

/** The draft's own envelope attributes, each a non-empty string (the catalog checks the rest). */
function draftEnvelope(value: unknown, which: string): DraftEnvelope {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DraftRefused(
      'INVALID_DRAFT',
      `${which} has envelope ${describe(value)}; it must be an object of ${ENVELOPE_FIELDS.join(', ')}`,
    );
  }
  const out: Record<string, string> = {};
  for (const [field, v] of Object.entries(value)) {
    if (!(ENVELOPE_FIELDS as readonly string[]).includes(field)) {
      throw new DraftRefused(
        'INVALID_DRAFT',
        `${which} has envelope.${field}; the envelope takes ${ENVELOPE_FIELDS.join(', ')}`,
      );
    }
    if (v === undefined) continue;
    if (typeof v !== 'string' || v === '') {
      throw new DraftRefused(
        'INVALID_DRAFT',
        `${which} has envelope.${field} ${describe(v)}; it must be a non-empty string`,
      );
    }
    out[field] = v;
  }
  return out;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value !== 'object') return `${typeof value} ${JSON.stringify(value)?.slice(0, 60)}`;
  const json = JSON.stringify(value) ?? '';
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}
