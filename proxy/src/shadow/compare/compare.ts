import { createHash } from 'node:crypto';
import type { DiffEntry } from '../../types.js';
import { bodyKind, mediaType, type BodyKind } from './body-kind.js';
import { diffJson } from './json-diff.js';
import type { Normalizers } from './normalize.js';
import type { LocationTest } from './pointer.js';
import { diffLines } from './text-diff.js';

/** One side's answer, body already decoded. */
export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface CompareSettings {
  /** Lower-case header names compared. */
  compareHeaders: readonly string[];
  ignore: LocationTest;
  normalizers: Normalizers;
  /** Most differences listed (the rest are counted in `more`). */
  maxEntries: number;
}

export interface Comparison {
  entries: DiffEntry[];
  more: number;
  bodyKind: BodyKind;
}

function headerValue(name: string, value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  const joined = Array.isArray(value) ? value.join(', ') : value;
  // `application/json` and `application/json; charset=utf-8` mean the same to every client.
  return name === 'content-type' ? mediaType(joined) : joined;
}

function parseJson(body: Buffer): { ok: true; value: unknown } | { ok: false } {
  if (body.length === 0) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) as unknown };
  } catch {
    return { ok: false };
  }
}

function describe(body: Buffer): string {
  const text = body
    .subarray(0, 64)
    .toString('utf8')
    .replace(/[^\x20-\x7e]/g, '.');
  return `${body.length} bytes: ${text}${body.length > 64 ? '...' : ''}`;
}

const hash = (b: Buffer) =>
  `sha256:${createHash('sha256').update(b).digest('hex').slice(0, 16)} (${b.length} bytes)`;

/**
 * Compares two answers: status, the configured headers, and the body by the legacy side's content
 * type (JSON structurally, text by lines, anything else by hash). An empty list means they match.
 */
export function compareAnswers(
  legacy: Answer,
  candidate: Answer,
  settings: CompareSettings,
): Comparison {
  const entries: DiffEntry[] = [];
  let more = 0;
  const add = (e: DiffEntry) => {
    if (settings.ignore(e.pointer)) return;
    if (entries.length < settings.maxEntries) entries.push(e);
    else more++;
  };
  if (legacy.status !== candidate.status) {
    add({ pointer: 'status', kind: 'value', legacy: legacy.status, candidate: candidate.status });
  }
  for (const name of settings.compareHeaders) {
    const a = headerValue(name, legacy.headers[name]);
    const b = headerValue(name, candidate.headers[name]);
    if (a === b) continue;
    const pointer = `header:${name}`;
    if (b === undefined) add({ pointer, kind: 'missing', legacy: a });
    else if (a === undefined) add({ pointer, kind: 'extra', candidate: b });
    else add({ pointer, kind: 'value', legacy: a, candidate: b });
  }
  const kind = bodyKind(legacy.headers['content-type']);
  const room = () => Math.max(settings.maxEntries - entries.length, 0);
  switch (kind) {
    case 'json': {
      // Identical bytes are identical documents: skip parsing (the common case once matching).
      if (legacy.body.equals(candidate.body)) break;
      const a = parseJson(legacy.body);
      const b = parseJson(candidate.body);
      if (!a.ok || !b.ok) {
        if (a.ok !== b.ok || !legacy.body.equals(candidate.body)) {
          add({
            pointer: 'body',
            kind: 'format',
            legacy: a.ok ? 'JSON' : `not JSON, ${describe(legacy.body)}`,
            candidate: b.ok ? 'JSON' : `not JSON, ${describe(candidate.body)}`,
          });
        }
        break;
      }
      const diff = diffJson(a.value, b.value, {
        ignore: settings.ignore,
        normalizers: settings.normalizers,
        maxEntries: room(),
      });
      entries.push(...diff.entries);
      more += diff.more;
      break;
    }
    case 'text': {
      if (legacy.body.equals(candidate.body)) break;
      const diff = diffLines(legacy.body.toString('utf8'), candidate.body.toString('utf8'), room());
      for (const e of diff.entries) add(e);
      more += diff.more;
      break;
    }
    case 'binary':
      if (!legacy.body.equals(candidate.body)) {
        add({
          pointer: 'body',
          kind: 'hash',
          legacy: hash(legacy.body),
          candidate: hash(candidate.body),
        });
      }
      break;
    default: {
      const _never: never = kind;
      return _never;
    }
  }
  return { entries, more, bodyKind: kind };
}
