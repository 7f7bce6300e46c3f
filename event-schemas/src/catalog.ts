import { createEventIn } from './create.js';
import { toKafkaMessageIn } from './kafka/encode.js';
import { parseKafkaMessageIn } from './kafka/parse-message.js';
import { parseEventIn } from './parse.js';
import type { AnyEventDefinition, Catalog, CatalogOptions } from './types.js';

const CATALOG = Symbol.for('strangler.event-schemas.catalog');
const NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]*$/;

/** What the functions bound to a catalog look definitions up in. */
export interface CatalogIndex {
  find(type: string): AnyEventDefinition | undefined;
  /** The type strings of the other versions of an event, for error hints. */
  otherVersions(type: string): string[];
  /** Upcasting steps from an old version to the current one, oldest first (empty when current). */
  lineage(type: string): readonly AnyEventDefinition[];
}

/**
 * Makes a catalog of the given event definitions (every version ever published, old ones kept):
 * a value with `createEvent`, `parseEvent`, `parseKafkaMessage` and `toKafkaMessage` bound to it
 * and typed by it. Hand it to the legacy adapter, the new-service kit and `strangler-schemas`.
 *
 * Throws when the catalog contradicts itself: a type defined twice, a version's `previous` missing
 * from the catalog, or two versions of one event both claiming to be current.
 */
export function defineCatalog<const D extends readonly AnyEventDefinition[]>(
  definitions: D,
  options: CatalogOptions = {},
): Catalog<D[number]> {
  if (!Array.isArray(definitions) || definitions.length === 0) {
    throw new Error('defineCatalog needs a non-empty array of defineEvent(...) definitions');
  }
  const name = options.name ?? 'events';
  if (!NAME.test(name))
    throw new Error(`catalog name "${name}" must be letters, digits, . _ - or spaces`);
  const byType = new Map<string, AnyEventDefinition>();
  for (const [i, definition] of definitions.entries()) {
    if (typeof definition?.type !== 'string' || typeof definition.strictSchema !== 'object') {
      throw new Error(`definitions[${i}] is not an event definition: make it with defineEvent`);
    }
    if (byType.has(definition.type))
      throw new Error(`event type ${definition.type} is defined twice`);
    byType.set(definition.type, definition);
  }
  const current = currentByName(definitions, byType);
  const index = indexOf(byType, current);
  const catalog = {
    name,
    description: options.description ?? '',
    definitions: Object.freeze([...definitions]),
    current: Object.freeze(Object.fromEntries(current)),
    types: Object.freeze(Object.fromEntries([...current].map(([n, d]) => [n, d.type]))),
    find: (type: string) => index.find(type),
    currentOf: (type: string) => {
      const found = index.find(type);
      return found && current.get(found.name);
    },
    createEvent: (type: string, data: unknown, attributes: never) =>
      createEventIn(index, type, data, attributes),
    parseEvent: (input: unknown) => parseEventIn(index, input),
    parseKafkaMessage: (message: never) => parseKafkaMessageIn(index, message),
    toKafkaMessage: (event: never) => toKafkaMessageIn(index, event),
    [CATALOG]: true,
  };
  return Object.freeze(catalog) as unknown as Catalog<D[number]>;
}

/** True for a value made by {@link defineCatalog} (any copy of this package). */
export function isCatalog(value: unknown): value is Catalog {
  return typeof value === 'object' && value !== null && CATALOG in value;
}

/**
 * The current version of each event: the one no other version names as `previous`. Every older
 * version must be reachable from it through `previous`, or its events could not be upcast.
 */
function currentByName(
  definitions: readonly AnyEventDefinition[],
  byType: Map<string, AnyEventDefinition>,
): Map<string, AnyEventDefinition> {
  const replaced = new Set<string>();
  for (const definition of definitions) {
    const previous = definition.previous;
    if (previous === undefined) continue;
    if (byType.get(previous.type) !== previous) {
      throw new Error(
        `${definition.type} replaces ${previous.type}, which is not in the catalog: keep every published version`,
      );
    }
    if (replaced.has(previous.type)) {
      throw new Error(`${previous.type} is replaced by two versions; each version replaces one`);
    }
    replaced.add(previous.type);
  }
  const current = new Map<string, AnyEventDefinition>();
  for (const definition of definitions) {
    if (replaced.has(definition.type)) continue;
    const other = current.get(definition.name);
    if (other) {
      const [older, newer] =
        other.version < definition.version ? [other, definition] : [definition, other];
      throw new Error(
        `${older.type} and ${newer.type} are both current versions of ${definition.name}: give ${newer.type} previous: ${older.name} v${older.version} and an upcast`,
      );
    }
    current.set(definition.name, definition);
  }
  return current;
}

function indexOf(
  byType: Map<string, AnyEventDefinition>,
  current: Map<string, AnyEventDefinition>,
): CatalogIndex {
  // Upcasting steps per old type, computed once: parse runs per message.
  const lineages = new Map<string, AnyEventDefinition[]>();
  for (const head of current.values()) {
    const chain: AnyEventDefinition[] = [];
    for (let d: AnyEventDefinition | undefined = head; d; d = d.previous) {
      lineages.set(d.type, [...chain].reverse());
      chain.push(d);
    }
  }
  return {
    find: (type) => byType.get(type),
    lineage: (type) => lineages.get(type) ?? [],
    otherVersions: (type) => {
      const base = type.replace(/\.v[0-9]+$/, '');
      return [...byType.keys()].filter(
        (known) => known !== type && known.replace(/\.v[0-9]+$/, '') === base,
      );
    },
  };
}
