import { resolveRefs } from './refs.js';
import {
  assertionKeys,
  deepEqual,
  jsonTypeOf,
  typeSatisfies,
  type Schema,
  type SchemaObject,
} from './schema.js';

/** `true`/`false` when a value's validity is known, `unknown` when these rules cannot tell. */
export type Verdict = boolean | 'unknown';

const MAX_DEPTH = 16;

/**
 * Whether `schema` accepts one JSON value: what a writer's `enum`/`const` values are checked with.
 * Covers scalar values and the keywords zod emits for them; anything else is `unknown`, never a
 * guess.
 */
export function accepts(root: Schema, schema: Schema, value: unknown, depth = 0): Verdict {
  if (depth > MAX_DEPTH) return 'unknown';
  const resolved = resolveRefs(root, schema);
  if (!resolved.ok) return 'unknown';
  const node = resolved.schema;
  if (typeof node === 'boolean') return node;
  return combine(assertionKeys(node).map((key) => keyword(root, node, key, value, depth)));
}

function combine(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.includes(false)) return false;
  return verdicts.includes('unknown') ? 'unknown' : true;
}

function keyword(
  root: Schema,
  node: SchemaObject,
  key: string,
  value: unknown,
  depth: number,
): Verdict {
  const arg = node[key];
  const sub = (schema: unknown) => accepts(root, schema as Schema, value, depth + 1);
  switch (key) {
    case 'type': {
      const types = Array.isArray(arg) ? arg : [arg];
      return types.some((type) => typeSatisfies(String(type), jsonTypeOf(value)));
    }
    case 'enum':
      return Array.isArray(arg) && arg.some((item) => deepEqual(item, value));
    case 'const':
      return deepEqual(arg, value);
    case 'anyOf': {
      const verdicts = Array.isArray(arg) ? arg.map(sub) : ['unknown' as const];
      if (verdicts.includes(true)) return true;
      return verdicts.includes('unknown') ? 'unknown' : false;
    }
    case 'allOf':
      return Array.isArray(arg) ? combine(arg.map(sub)) : 'unknown';
    case 'oneOf': {
      const verdicts = Array.isArray(arg) ? arg.map(sub) : ['unknown' as const];
      if (verdicts.includes('unknown')) return 'unknown';
      return verdicts.filter((verdict) => verdict === true).length === 1;
    }
    default:
      return typeSpecific(key, arg, value);
  }
}

/** Keywords that only constrain one JSON type; a value of another type passes them. */
function typeSpecific(key: string, arg: unknown, value: unknown): Verdict {
  if (typeof value === 'string') {
    const length = [...value].length;
    if (key === 'minLength') return typeof arg === 'number' ? length >= arg : 'unknown';
    if (key === 'maxLength') return typeof arg === 'number' ? length <= arg : 'unknown';
    if (key === 'pattern') return matches(arg, value);
  }
  if (typeof value === 'number' && typeof arg === 'number') {
    if (key === 'minimum') return value >= arg;
    if (key === 'maximum') return value <= arg;
    if (key === 'exclusiveMinimum') return value > arg;
    if (key === 'exclusiveMaximum') return value < arg;
    if (key === 'multipleOf') return Number.isInteger(value / arg);
  }
  return otherType(key, value);
}

const NUMERIC = new Set([
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
]);
const STRING = new Set(['minLength', 'maxLength', 'pattern', 'format']);
const ARRAY = new Set(['items', 'additionalItems', 'minItems', 'maxItems', 'uniqueItems']);
const OBJECT = new Set([
  'properties',
  'required',
  'additionalProperties',
  'propertyNames',
  'minProperties',
  'maxProperties',
  'patternProperties',
]);

/** A keyword of another type than the value's passes; one these rules do not know is unknown. */
function otherType(key: string, value: unknown): Verdict {
  const type = jsonTypeOf(value);
  if (NUMERIC.has(key)) return type === 'number' || type === 'integer' ? 'unknown' : true;
  if (STRING.has(key)) return type === 'string' ? 'unknown' : true;
  if (ARRAY.has(key)) return type === 'array' ? 'unknown' : true;
  if (OBJECT.has(key)) return type === 'object' ? 'unknown' : true;
  return 'unknown';
}

function matches(pattern: unknown, value: string): Verdict {
  if (typeof pattern !== 'string') return 'unknown';
  try {
    return new RegExp(pattern, 'u').test(value);
  } catch {
    return 'unknown';
  }
}
