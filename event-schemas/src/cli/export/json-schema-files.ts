import type { AnyCatalog, AnyEventDefinition } from '../../types.js';
import { readerSchemaOf } from '../json-schemas.js';

/** Where the JSON Schema of a version goes, relative to the output folder. */
export function jsonSchemaPath(definition: AnyEventDefinition): string {
  return `json-schema/${definition.type}.json`;
}

/**
 * The reader schema (JSON Schema draft-07) of every version, titled `<Name> v<n>`: what a
 * consumer of that version accepts as `data`.
 */
export function jsonSchemaFiles(catalog: AnyCatalog): [string, Record<string, unknown>][] {
  return (catalog.definitions as readonly AnyEventDefinition[]).map((definition) => [
    jsonSchemaPath(definition),
    { title: `${definition.name} v${definition.version}`, ...readerSchemaOf(definition) },
  ]);
}
