import type { SchemaBreak } from '../types.js';
import type { Schema } from './schema.js';

/** What the per-type rules need: the two documents (for `$ref`) and a way to recurse. */
export interface CompareContext {
  readonly readerRoot: Schema;
  readonly writerRoot: Schema;
  /** Pairs of `$ref`s being compared, assumed compatible while inside them (recursive schemas). */
  readonly assumed: Set<string>;
  /** Every way `writer` may produce a value `reader` refuses, at `path`. */
  compare(reader: Schema, writer: Schema, path: string): SchemaBreak[];
}

/** A break of a rule these functions cannot decide. */
export function unproven(path: string, keyword: string): SchemaBreak {
  return { path, rule: 'unproven', keyword };
}

/** `data.qty`, or `data["odd name"]` for names that are not identifiers. */
export function childPath(path: string, name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? `${path}.${name}` : `${path}[${JSON.stringify(name)}]`;
}

/** A number keyword's value, or undefined when absent or not a number. */
export function numberAt(schema: { readonly [key: string]: unknown }, key: string) {
  const value = schema[key];
  return typeof value === 'number' ? value : undefined;
}
