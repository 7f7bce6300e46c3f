import type { DiffEntry } from '../../types.js';
import { escapeToken, type LocationTest } from './pointer.js';
import { closeEnough, sortArray, type Normalizers } from './normalize.js';

export interface JsonDiffOptions {
  ignore: LocationTest;
  normalizers: Normalizers;
  /** Stop after this many differences (the rest are counted, not listed). */
  maxEntries: number;
}

export interface JsonDiffResult {
  entries: DiffEntry[];
  /** Differences found beyond maxEntries. */
  more: number;
}

type Kind = 'null' | 'array' | 'object' | 'string' | 'number' | 'boolean';

function kindOf(v: unknown): Kind {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v as Kind;
}

/**
 * Structural difference of two parsed JSON documents, as JSON pointers into the body. Objects are
 * compared by key (order never matters), arrays by index (unless a normalizer sorts them first),
 * numbers exactly or within a normalizer's tolerance.
 */
export function diffJson(
  legacy: unknown,
  candidate: unknown,
  options: JsonDiffOptions,
): JsonDiffResult {
  const out: JsonDiffResult = { entries: [], more: 0 };
  const add = (entry: DiffEntry) => {
    if (options.ignore(entry.pointer)) return;
    if (out.entries.length < options.maxEntries) out.entries.push(entry);
    else out.more++;
  };
  walk(legacy, candidate, '', options, add);
  return out;
}

function walk(
  a: unknown,
  b: unknown,
  at: string,
  options: JsonDiffOptions,
  add: (e: DiffEntry) => void,
): void {
  if (at !== '' && options.ignore(at)) return;
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka !== kb) {
    add({ pointer: at, kind: 'type', legacy: a, candidate: b });
    return;
  }
  switch (ka) {
    case 'object': {
      const oa = a as Record<string, unknown>;
      const ob = b as Record<string, unknown>;
      for (const key of Object.keys(oa)) {
        const loc = `${at}/${escapeToken(key)}`;
        if (!Object.hasOwn(ob, key)) add({ pointer: loc, kind: 'missing', legacy: oa[key] });
        else walk(oa[key], ob[key], loc, options, add);
      }
      for (const key of Object.keys(ob)) {
        if (!Object.hasOwn(oa, key)) {
          add({ pointer: `${at}/${escapeToken(key)}`, kind: 'extra', candidate: ob[key] });
        }
      }
      return;
    }
    case 'array': {
      let xa = a as unknown[];
      let xb = b as unknown[];
      const by = options.normalizers.sortKey(at);
      if (by !== undefined) {
        xa = sortArray(xa, by);
        xb = sortArray(xb, by);
      }
      const common = Math.min(xa.length, xb.length);
      for (let i = 0; i < common; i++) walk(xa[i], xb[i], `${at}/${i}`, options, add);
      for (let i = common; i < xa.length; i++)
        add({ pointer: `${at}/${i}`, kind: 'missing', legacy: xa[i] });
      for (let i = common; i < xb.length; i++)
        add({ pointer: `${at}/${i}`, kind: 'extra', candidate: xb[i] });
      return;
    }
    case 'number': {
      if (a === b) return;
      const t = options.normalizers.tolerance(at);
      if (t && closeEnough(a as number, b as number, t)) return;
      add({ pointer: at, kind: 'value', legacy: a, candidate: b });
      return;
    }
    case 'null':
      return;
    case 'string':
    case 'boolean':
      if (a !== b) add({ pointer: at, kind: 'value', legacy: a, candidate: b });
      return;
    default: {
      const _never: never = ka;
      return _never;
    }
  }
}
