import type { SchemaBreak } from '../types.js';
import { compareArray } from './compare-array.js';
import { compareObject } from './compare-object.js';
import { compareNumber, compareString } from './compare-scalar.js';
import { unproven, type CompareContext } from './context.js';
import {
  assertionKeys,
  containsRef,
  deepEqual,
  finiteValues,
  listValues,
  type SchemaObject,
} from './schema.js';

/** Type-specific keywords: each is checked by its type's rules, and ignored for other types. */
const FAMILY: Record<string, string> = {
  minLength: 'string',
  maxLength: 'string',
  pattern: 'string',
  format: 'string',
  minimum: 'number',
  maximum: 'number',
  exclusiveMinimum: 'number',
  exclusiveMaximum: 'number',
  multipleOf: 'number',
  items: 'array',
  additionalItems: 'array',
  minItems: 'array',
  maxItems: 'array',
  uniqueItems: 'array',
  contains: 'array',
  properties: 'object',
  required: 'object',
  additionalProperties: 'object',
  propertyNames: 'object',
  minProperties: 'object',
  maxProperties: 'object',
  patternProperties: 'object',
  dependencies: 'object',
};
/** Type-specific keywords the rules below do not model: equal on both sides or unproven. */
const UNMODELLED = new Set(['contains', 'dependencies']);

/** One reader alternative against a writer alternative of the same JSON type. */
export function compareTyped(
  context: CompareContext,
  reader: SchemaObject,
  writer: SchemaObject,
  type: string,
  path: string,
): SchemaBreak[] {
  const readerValues = finiteValues(reader);
  if (readerValues) {
    const keyword = 'const' in reader ? 'const' : 'enum';
    return [{ path, rule: 'enum', keyword, reader: listValues(readerValues) }];
  }
  const family = type === 'integer' ? 'number' : type;
  const breaks: SchemaBreak[] = [];
  for (const key of assertionKeys(reader)) {
    if (key === 'type') continue;
    const owner = FAMILY[key];
    if (owner !== undefined && (owner !== family || !UNMODELLED.has(key))) continue;
    if (containsRef(reader[key]) || !deepEqual(reader[key], writer[key])) {
      breaks.push(unproven(path, key));
    }
  }
  switch (family) {
    case 'string':
      return [...breaks, ...compareString(reader, writer, path)];
    case 'number':
      return [...breaks, ...compareNumber(reader, writer, type === 'integer', path)];
    case 'array':
      return [...breaks, ...compareArray(context, reader, writer, path)];
    case 'object':
      return [...breaks, ...compareObject(context, reader, writer, path)];
    default:
      return breaks;
  }
}
