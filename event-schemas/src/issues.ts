import type { z } from 'zod';
import type { EventIssue } from './types.js';

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const PREVIEW_LENGTH = 60;

/**
 * Turns zod issues into {@link EventIssue}s whose path is written from the envelope's root
 * (`data.qty`, `time`), and whose message ends with the offending value, so a dead-letter row says
 * what arrived without anyone digging out the raw message.
 */
export function toEventIssues(
  error: z.ZodError,
  input: unknown,
  prefix: readonly PropertyKey[] = [],
): EventIssue[] {
  return error.issues.flatMap((issue): EventIssue[] => {
    const segments = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      // One issue per key, each at its own path: `data.quantity`, not `data: Unrecognized keys`.
      return issue.keys.map((key) => ({
        path: formatPath([...segments, key]),
        code: issue.code,
        message: 'is not a known field',
      }));
    }
    const value = valueAt(input, issue.path);
    const message =
      value === undefined ? issue.message : `${issue.message} (got ${preview(value)})`;
    return [{ path: formatPath(segments), code: issue.code, message }];
  });
}

/** `['data', 'lines', 0, 'qty']` -> `data.lines[0].qty`. */
export function formatPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && IDENTIFIER.test(segment)) {
      out += out === '' ? segment : `.${segment}`;
    } else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

/** A short JSON rendering of a value, cut so one huge field cannot flood a log line. */
export function preview(value: unknown): string {
  let text: string;
  try {
    // NaN and Infinity would print as null, and a BigInt would throw.
    const json =
      typeof value === 'number' || typeof value === 'bigint' ? undefined : JSON.stringify(value);
    text = json ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > PREVIEW_LENGTH ? `${text.slice(0, PREVIEW_LENGTH - 3)}...` : text;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}
