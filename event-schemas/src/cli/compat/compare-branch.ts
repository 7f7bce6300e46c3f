import type { SchemaBreak } from '../types.js';
import { accepts } from './accepts.js';
import { compareTyped } from './compare-typed.js';
import { unproven, type CompareContext } from './context.js';
import {
  acceptsAnything,
  finiteValues,
  isSchemaObject,
  jsonTypeOf,
  listValues,
  typeSatisfies,
  type Schema,
  type SchemaObject,
} from './schema.js';

/** One alternative of the writer against the reader's alternatives: one must accept it whole. */
export function compareBranch(
  context: CompareContext,
  readers: readonly Schema[],
  writer: Schema,
  path: string,
): SchemaBreak[] {
  if (writer === false || readers.some(acceptsAnything)) return [];
  const values = finiteValues(writer);
  if (values) return compareValues(context, readers, values, path);
  if (!isSchemaObject(writer) || typeof writer.type !== 'string') return [unproven(path, 'type')];
  const type = writer.type;
  const candidates = readers.filter(
    (reader): reader is SchemaObject => isSchemaObject(reader) && takesType(reader, type),
  );
  if (candidates.length === 0) {
    if (type === 'null') return [{ path, rule: 'nullable', keyword: 'type' }];
    return [{ path, rule: 'type', keyword: 'type', reader: describe(readers), writer: type }];
  }
  let best: SchemaBreak[] | undefined;
  for (const reader of candidates) {
    const found = compareTyped(context, reader, writer, type, path);
    if (found.length === 0) return [];
    if (best === undefined || found.length < best.length) best = found;
  }
  return best ?? [];
}

/** A writer limited to `enum`/`const` values: each value must pass some reader alternative. */
function compareValues(
  context: CompareContext,
  readers: readonly Schema[],
  values: readonly unknown[],
  path: string,
): SchemaBreak[] {
  const refused: unknown[] = [];
  const undecided: unknown[] = [];
  for (const value of values) {
    const verdicts = readers.map((reader) => accepts(context.readerRoot, reader, value));
    if (verdicts.includes(true)) continue;
    (verdicts.includes('unknown') ? undecided : refused).push(value);
  }
  const breaks: SchemaBreak[] = [];
  if (refused.includes(null)) breaks.push({ path, rule: 'nullable', keyword: 'type' });
  const others = refused.filter((value) => value !== null);
  if (others.length > 0) {
    breaks.push({
      path,
      rule: 'enum',
      keyword: 'enum',
      reader: describe(readers),
      writer: listValues(others),
    });
  }
  if (undecided.length > 0) breaks.push(unproven(path, `value ${listValues(undecided)}`));
  return breaks;
}

function takesType(reader: SchemaObject, type: string): boolean {
  if (typeof reader.type === 'string') return typeSatisfies(reader.type, type);
  if (reader.type !== undefined) return false;
  const values = finiteValues(reader);
  return values === undefined || values.some((value) => typeSatisfies(type, jsonTypeOf(value)));
}

/** The reader's alternatives in words: `string or null`, `"a", "b"`. */
export function describe(readers: readonly Schema[]): string {
  const words = readers.map((reader) => {
    const values = finiteValues(reader);
    if (values) return listValues(values);
    return isSchemaObject(reader) && typeof reader.type === 'string' ? reader.type : 'any';
  });
  return [...new Set(words)].join(' or ');
}
