import {
  allocatedV1,
  batchCreatedV1,
  batchEtaChangedV1,
  batchQuantityChangedV1,
  deallocatedV1,
  productCreatedV1,
} from './events/allocation.js';
import type { DomainEventType, EventDefinition } from './types.js';

/**
 * Every event type in every version ever published, oldest first per name. Versions are never
 * removed: a consumer must read whatever is still in a topic.
 */
export const eventDefinitions = [
  productCreatedV1,
  batchCreatedV1,
  batchQuantityChangedV1,
  batchEtaChangedV1,
  allocatedV1,
  deallocatedV1,
] as const;

/**
 * The version of each event producers emit today, by name. A new version replaces its entry here
 * and joins {@link eventDefinitions}; the old one stays there.
 */
export const currentEvents = {
  ProductCreated: productCreatedV1,
  BatchCreated: batchCreatedV1,
  BatchQuantityChanged: batchQuantityChangedV1,
  BatchEtaChanged: batchEtaChangedV1,
  Allocated: allocatedV1,
  Deallocated: deallocatedV1,
} as const;

type Definitions = (typeof eventDefinitions)[number];
type CurrentType = (typeof currentEvents)[keyof typeof currentEvents]['type'];

// Compile-time guard: the current entries are exactly the DomainEvent union of types.ts.
const _currentMatchesUnion: [CurrentType] extends [DomainEventType]
  ? [DomainEventType] extends [CurrentType]
    ? true
    : never
  : never = true;

/** The catalog keyed by full `type`: what a consumer looks an incoming event up in. */
export const eventCatalog = Object.freeze(
  Object.fromEntries(eventDefinitions.map((definition) => [definition.type, definition])),
) as { readonly [D in Definitions as D['type']]: D };

/** The current `type` string of each event by name, for `case eventTypes.Allocated:`. */
export const eventTypes = Object.freeze(
  Object.fromEntries(Object.entries(currentEvents).map(([name, { type }]) => [name, type])),
) as { readonly [N in keyof typeof currentEvents]: (typeof currentEvents)[N]['type'] };

/** The definition of a `type` string, or undefined when the catalog does not know it. */
export function findDefinition(type: string): EventDefinition | undefined {
  return Object.hasOwn(eventCatalog, type)
    ? (eventCatalog as Record<string, EventDefinition>)[type]
    : undefined;
}

/** The types of the other versions of the event a versioned `type` names, for error hints. */
export function otherVersions(type: string): string[] {
  const base = type.replace(/\.v[0-9]+$/, '');
  return eventDefinitions
    .map((definition) => definition.type as string)
    .filter((known) => known !== type && known.replace(/\.v[0-9]+$/, '') === base);
}

assertConsistent();

/** Fails at module load, before any producer runs, when the catalog contradicts itself. */
function assertConsistent(): void {
  const seen = new Set<string>();
  for (const definition of eventDefinitions) {
    if (seen.has(definition.type))
      throw new Error(`event type ${definition.type} is defined twice`);
    seen.add(definition.type);
  }
  for (const [name, current] of Object.entries(currentEvents)) {
    const versions = eventDefinitions.filter((definition) => definition.name === name);
    const latest = Math.max(...versions.map((definition) => definition.version));
    if (current.name !== name || current.version !== latest) {
      throw new Error(`currentEvents.${name} must be the latest version of ${name} (v${latest})`);
    }
  }
}
