import { resolveRefs } from './refs.js';
import { assertionKeys, isSchemaObject, type Schema, type SchemaObject } from './schema.js';

/** The alternatives of a node, each with at most one `type`, or why they could not be listed. */
export type Branches = { ok: true; branches: Schema[] } | { ok: false; keyword: string };

const MAX_DEPTH = 16;

/**
 * Splits a node into the alternatives a value may match: the items of `anyOf` (and of `oneOf`,
 * which is at most as wide), and one alternative per entry of a `type` array. A node whose `anyOf`
 * sits beside other assertions is not split: the caller handles those as a conjunction first.
 */
export function branchesOf(
  root: Schema,
  node: Schema,
  side: 'reader' | 'writer',
  depth = 0,
): Branches {
  if (depth > MAX_DEPTH) return { ok: false, keyword: '$ref' };
  const resolved = resolveRefs(root, node);
  if (!resolved.ok) return { ok: false, keyword: `$ref ${resolved.ref}` };
  const schema = resolved.schema;
  if (!isSchemaObject(schema)) return { ok: true, branches: [schema] };
  const union = unionItems(schema);
  if (union) {
    const branches: Schema[] = [];
    for (const item of union) {
      const inner = branchesOf(root, item as Schema, side, depth + 1);
      if (!inner.ok) return inner;
      branches.push(...inner.branches);
    }
    // A reader's oneOf refuses a value two items accept; only items of distinct types are safe.
    if (side === 'reader' && 'oneOf' in schema && !disjointByType(branches)) {
      return { ok: false, keyword: 'oneOf' };
    }
    return { ok: true, branches };
  }
  if (Array.isArray(schema.type)) {
    return { ok: true, branches: schema.type.map((type: unknown) => ({ ...schema, type })) };
  }
  return { ok: true, branches: [schema] };
}

function disjointByType(branches: readonly Schema[]): boolean {
  const types = branches.map((branch) => (isSchemaObject(branch) ? branch.type : undefined));
  if (!types.every((type): type is string => typeof type === 'string')) return false;
  const families = types.map((type) => (type === 'integer' ? 'number' : type));
  return new Set(families).size === families.length;
}

/** The items of a node that is only a union (`anyOf` or `oneOf` plus annotations). */
function unionItems(schema: SchemaObject): unknown[] | undefined {
  const keys = assertionKeys(schema);
  if (keys.length !== 1) return undefined;
  const items = schema.anyOf ?? schema.oneOf;
  return (keys[0] === 'anyOf' || keys[0] === 'oneOf') && Array.isArray(items) ? items : undefined;
}

/**
 * A reader node as parts that must all accept the writer: `allOf` items, and a union kept apart
 * from its sibling assertions. A value valid against the writer must pass each part.
 */
export function conjunctsOf(schema: SchemaObject): SchemaObject[] | undefined {
  const splitOff = ['allOf', 'anyOf', 'oneOf'].filter((key) => key in schema);
  const rest = Object.fromEntries(
    Object.entries(schema).filter(([key]) => !splitOff.includes(key)),
  );
  const parts: SchemaObject[] = [];
  if (Array.isArray(schema.allOf)) {
    parts.push(...schema.allOf.filter((item): item is SchemaObject => isSchemaObject(item)));
    if (parts.length !== schema.allOf.length) return undefined;
  }
  if ('anyOf' in schema) parts.push({ anyOf: schema.anyOf });
  if ('oneOf' in schema) parts.push({ oneOf: schema.oneOf });
  if (parts.length === 0) return undefined;
  if (parts.length === 1 && splitOff.length === 1 && assertionKeys(rest).length === 0) {
    return splitOff[0] === 'allOf' ? parts : undefined;
  }
  return [rest, ...parts];
}
