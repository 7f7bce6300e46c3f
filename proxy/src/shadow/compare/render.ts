import type { DiffEntry } from '../../types.js';

const MAX_VALUE_CHARS = 200;

/** A value shortened for storage and display: long strings and big structures are cut. */
export function clip(value: unknown, max = MAX_VALUE_CHARS): unknown {
  if (
    value === undefined ||
    value === null ||
    typeof value === 'number' ||
    typeof value === 'boolean'
  ) {
    return value;
  }
  if (typeof value === 'string')
    return value.length > max ? `${value.slice(0, max)}... (${value.length} chars)` : value;
  const text = JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max)}... (${text.length} chars of JSON)` : value;
}

/** A copy of a diff with every value clipped and at most `max` entries. */
export function clipDiff(entries: readonly DiffEntry[], max: number): DiffEntry[] {
  return entries.slice(0, max).map((e) => ({
    pointer: e.pointer,
    kind: e.kind,
    ...(e.legacy === undefined ? {} : { legacy: clip(e.legacy) }),
    ...(e.candidate === undefined ? {} : { candidate: clip(e.candidate) }),
  }));
}

const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(clip(v)));

/**
 * One line per difference, e.g.
 * `~ /items/0/qty: 3 -> 4`, `- /note (legacy only): "x"`, `+ /extra (candidate only): 1`.
 */
export function renderDiff(entries: readonly DiffEntry[], more = 0): string {
  const out = entries.map((e) => {
    switch (e.kind) {
      case 'missing':
        return `- ${e.pointer || '/'} (legacy only): ${show(e.legacy)}`;
      case 'extra':
        return `+ ${e.pointer || '/'} (candidate only): ${show(e.candidate)}`;
      case 'value':
      case 'type':
      case 'format':
      case 'hash':
        return `~ ${e.pointer || '/'}: ${show(e.legacy)} -> ${show(e.candidate)}${e.kind === 'type' ? ' (type)' : ''}`;
      default: {
        const _never: never = e.kind;
        return _never;
      }
    }
  });
  if (more > 0) out.push(`... and ${more} more`);
  return out.join('\n');
}
