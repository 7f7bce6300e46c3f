import { isSchemaObject, type Schema } from './schema.js';

/** A node with its local `$ref`s followed, and the refs it went through (for cycle detection). */
export type Resolved =
  { ok: true; schema: Schema; refs: readonly string[] } | { ok: false; ref: string };

const MAX_HOPS = 32;

/**
 * Follows `$ref` (draft-07: its siblings are ignored) within the document `root`. Only local
 * pointers (`#`, `#/definitions/X`) resolve; anything else is reported so the caller can refuse to
 * guess.
 */
export function resolveRefs(root: Schema, node: Schema): Resolved {
  const refs: string[] = [];
  let current = node;
  while (isSchemaObject(current) && typeof current.$ref === 'string') {
    const ref = current.$ref;
    const target = refs.length < MAX_HOPS ? pointer(root, ref) : undefined;
    if (target === undefined) return { ok: false, ref };
    refs.push(ref);
    current = target;
  }
  return { ok: true, schema: current, refs };
}

function pointer(root: Schema, ref: string): Schema | undefined {
  if (!ref.startsWith('#')) return undefined;
  let value: unknown = root;
  const path = ref.slice(1);
  if (path === '') return root;
  if (!path.startsWith('/')) return undefined;
  for (const raw of path.slice(1).split('/')) {
    const token = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[token];
  }
  return typeof value === 'boolean' || isSchemaObject(value) ? value : undefined;
}
