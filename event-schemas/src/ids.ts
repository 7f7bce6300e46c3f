import { createHash } from 'node:crypto';
import { EventSchemaError } from './errors.js';
import { isUriReference } from './uri.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** RFC 9562 namespace for domain names. */
export const DNS_NAMESPACE = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
/** RFC 9562 namespace for URLs. */
export const URL_NAMESPACE = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';
/**
 * Namespace of strangler event ids: `uuidV5('events.strangler.io', DNS_NAMESPACE)`. Fixed forever:
 * changing it would give every replayed change a new id and defeat deduplication.
 */
export const EVENT_ID_NAMESPACE = '494b0bb3-0b87-5c74-b2de-2838d7044a26';

// Producers derive an id for every event of every captured change, always in the same namespace
// and mostly from the same source: the parsed namespace and the last valid source are kept.
const namespaceBytes = new Map<string, Buffer>();
let lastValidSource: string | undefined;

/** A name-based UUID (version 5, SHA-1) per RFC 9562 section 5.5, in lower case. */
export function uuidV5(name: string, namespace: string): string {
  let ns = namespaceBytes.get(namespace);
  if (!ns) {
    if (!UUID.test(namespace)) {
      throw invalidArgument('namespace', `must be a UUID such as ${DNS_NAMESPACE}`, namespace);
    }
    ns = Buffer.from(namespace.replaceAll('-', ''), 'hex');
    if (namespaceBytes.size < 64) namespaceBytes.set(namespace, ns);
  }
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50; // version 5
  hash[8] = (hash[8]! & 0x3f) | 0x80; // RFC 4122/9562 variant
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The id of the `index`-th event derived from the change at `position` of `source`: the same
 * inputs give the same id, so an event published again after a crash is recognised as a duplicate.
 *
 * - `source`: the event's `source` attribute (a URI-reference, which cannot contain `|`, so the
 *   joined name `${source}|${position}|${index}` is unambiguous).
 * - `position`: where the change is in the source and stable across replays, e.g. the commit LSN
 *   `0/16B3748`, or a snapshot name for rows of the initial load.
 * - `index`: the event's 0-based position among the events derived from that position. Stable as
 *   long as the mapping code is: changing the mapping between a crash and its replay changes ids.
 *
 * @throws EventSchemaError `INVALID_ARGUMENT` for an empty or malformed argument.
 */
export function deterministicEventId(source: string, position: string, index: number): string {
  if (source !== lastValidSource) {
    if (typeof source !== 'string' || source === '' || !isUriReference(source)) {
      throw invalidArgument('source', 'must be a non-empty URI-reference', source);
    }
    lastValidSource = source;
  }
  if (typeof position !== 'string' || position === '') {
    throw invalidArgument('position', 'must be a non-empty string', position);
  }
  if (!Number.isSafeInteger(index) || index < 0) {
    throw invalidArgument('index', 'must be an integer >= 0', index);
  }
  return uuidV5(`${source}|${position}|${index}`, EVENT_ID_NAMESPACE);
}

function invalidArgument(path: string, rule: string, value: unknown): EventSchemaError {
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  const message = `${rule} (got ${shown})`;
  return new EventSchemaError('INVALID_ARGUMENT', 'Invalid argument', {
    issues: [{ path, code: 'invalid_argument', message }],
  });
}
