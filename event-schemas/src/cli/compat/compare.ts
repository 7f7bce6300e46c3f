import type { SchemaBreak } from '../types.js';
import { branchesOf, conjunctsOf } from './branches.js';
import { compareBranch } from './compare-branch.js';
import { unproven, type CompareContext } from './context.js';
import { resolveRefs } from './refs.js';
import {
  acceptsAnything,
  containsRef,
  deepEqual,
  isSchemaObject,
  withoutAnnotations,
  type Schema,
  type SchemaObject,
} from './schema.js';

/**
 * Every way a value valid against `writer` may be refused by `reader` (both JSON Schema draft-07,
 * as zod emits them), each naming the field path and the rule. Empty means every value the writer
 * may produce is proven readable. Whatever these rules cannot decide is a `unproven` break: the
 * check never passes a change it cannot prove.
 */
export function findBreaks(reader: Schema, writer: Schema): SchemaBreak[] {
  const context: CompareContext = {
    readerRoot: reader,
    writerRoot: writer,
    assumed: new Set(),
    compare: (r, w, path) => compareNodes(context, r, w, path),
  };
  return sorted(context.compare(reader, writer, 'data'));
}

const MAX_DEPTH = 64;

function compareNodes(
  context: CompareContext,
  readerNode: Schema,
  writerNode: Schema,
  path: string,
): SchemaBreak[] {
  if (path.split(/[.[]/).length > MAX_DEPTH) return [unproven(path, 'depth')];
  const reader = resolveRefs(context.readerRoot, readerNode);
  const writer = resolveRefs(context.writerRoot, writerNode);
  if (!reader.ok) return [unproven(path, `$ref ${reader.ref}`)];
  if (!writer.ok)
    return acceptsAnything(reader.schema) ? [] : [unproven(path, `$ref ${writer.ref}`)];
  if (reader.refs.length > 0 && writer.refs.length > 0) {
    // Recursive schemas: inside a pair of definitions, assume that pair compatible.
    const pair = `${reader.refs.at(-1)}|${writer.refs.at(-1)}`;
    if (context.assumed.has(pair)) return [];
    context.assumed.add(pair);
  }
  const r = reader.schema;
  const w = writer.schema;
  if (acceptsAnything(r) || w === false) return [];
  // A reader of `false` refuses everything the writer may still write.
  if (!isSchemaObject(r)) return [unproven(path, 'false')];
  if (!containsRef(r) && !containsRef(w) && deepEqual(withoutAnnotations(r), withoutAnnotations(w)))
    return [];
  const parts = conjunctsOf(r);
  if (parts) return parts.flatMap((part) => context.compare(part, w, path));
  if (isSchemaObject(w) && Array.isArray(w.allOf)) return compareWriterAllOf(context, r, w, path);

  const readers = branchesOf(context.readerRoot, r, 'reader');
  if (!readers.ok) return [unproven(path, readers.keyword)];
  const writers = branchesOf(context.writerRoot, w, 'writer');
  if (!writers.ok) return [unproven(path, writers.keyword)];
  return writers.branches.flatMap((branch) =>
    compareBranch(context, readers.branches, branch, path),
  );
}

/** A writer `allOf` is at least as narrow as each of its parts: one readable part suffices. */
function compareWriterAllOf(
  context: CompareContext,
  reader: SchemaObject,
  writer: SchemaObject,
  path: string,
): SchemaBreak[] {
  const { allOf, ...rest } = writer;
  const parts = [rest, ...(allOf as Schema[])].filter((part) => !acceptsAnything(part));
  const results = parts.map((part) => context.compare(reader, part, path));
  if (results.some((found) => found.length === 0)) return [];
  return results.length === 1 ? (results[0] ?? []) : [unproven(path, 'allOf')];
}

function sorted(breaks: SchemaBreak[]): SchemaBreak[] {
  const seen = new Set<string>();
  return breaks
    .filter((found) => {
      const key = JSON.stringify(found);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => order(a.path, b.path) || order(a.rule, b.rule));
}

function order(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
