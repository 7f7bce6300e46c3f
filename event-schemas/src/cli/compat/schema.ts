// The slice of JSON Schema (draft-07) the compatibility rules read, and small helpers over it.

/** A JSON Schema node: `true` accepts anything, `false` nothing. */
export type Schema = boolean | SchemaObject;
/** A JSON Schema object node. */
export type SchemaObject = { readonly [keyword: string]: unknown };

/** Keywords that describe and never refuse a value. */
const ANNOTATIONS = new Set([
  '$schema',
  '$id',
  '$comment',
  'title',
  'description',
  'default',
  'examples',
  'readOnly',
  'writeOnly',
  'deprecated',
  'definitions',
  '$defs',
]);

export function isSchemaObject(value: unknown): value is SchemaObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The keywords of a node that may refuse a value. */
export function assertionKeys(schema: SchemaObject): string[] {
  return Object.keys(schema).filter((key) => !ANNOTATIONS.has(key));
}

/** True when the node accepts every value (`true`, `{}`, or annotations only). */
export function acceptsAnything(schema: Schema): boolean {
  return schema === true || (isSchemaObject(schema) && assertionKeys(schema).length === 0);
}

/** The node without its annotations, for comparing constraints only. */
export function withoutAnnotations(schema: Schema): Schema {
  if (!isSchemaObject(schema)) return schema;
  return Object.fromEntries(assertionKeys(schema).map((key) => [key, schema[key]]));
}

/** The finite set of values a node allows through `enum` or `const`, if it has one. */
export function finiteValues(schema: Schema): readonly unknown[] | undefined {
  if (!isSchemaObject(schema)) return undefined;
  if ('const' in schema) return [schema.const];
  return Array.isArray(schema.enum) ? schema.enum : undefined;
}

/** Structural equality of JSON values (key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  return (
    keys.length === Object.keys(right).length &&
    keys.every((key) => key in right && deepEqual(left[key], right[key]))
  );
}

/** True when a `$ref` appears anywhere below the node (equal refs may point at different definitions). */
export function containsRef(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some(containsRef);
  return Object.entries(value).some(([key, child]) => key === '$ref' || containsRef(child));
}

/** JSON Schema's name for the type of a JSON value (`integer` for whole numbers). */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Whether a value of JSON type `actual` satisfies `type: expected`. */
export function typeSatisfies(expected: string, actual: string): boolean {
  return expected === actual || (expected === 'number' && actual === 'integer');
}

/** Values as a short list for messages: `"a", "b"`. */
export function listValues(values: readonly unknown[]): string {
  return values.map((value) => JSON.stringify(value)).join(', ');
}
