import type { NormalizeSettings } from '../../types.js';

/** Compiled normalizers: which arrays to sort before comparing, which numbers may differ a little. */
export interface Normalizers {
  /** The key to sort the array at this location by (`''`: the whole element), or undefined. */
  sortKey(location: string): string | undefined;
  /** Numbers at this location are equal when within the returned tolerance; undefined: exact. */
  tolerance(location: string): { absolute: number; relative: number } | undefined;
}

function exactMatcher(pattern: string): (location: string) => boolean {
  if (!pattern.includes('*')) return (location) => location === pattern;
  const rule = pattern.slice(1).split('/');
  return (location) => {
    const tokens = location.slice(1).split('/');
    for (let i = 0; i < rule.length; i++) {
      const r = rule[i] as string;
      if (r === '**' && i === rule.length - 1) return true;
      if (i >= tokens.length || (r !== '*' && r !== tokens[i])) return false;
    }
    return tokens.length === rule.length;
  };
}

export const NO_NORMALIZERS: Normalizers = {
  sortKey: () => undefined,
  tolerance: () => undefined,
};

export function compileNormalizers(settings: NormalizeSettings | undefined): Normalizers {
  const sorts = (settings?.sortArrays ?? []).map((s) => ({
    test: exactMatcher(s.pointer),
    by: s.by ?? '',
  }));
  const numbers = (settings?.numbers ?? []).map((n) => ({
    test: exactMatcher(n.pointer),
    absolute: n.tolerance ?? 0,
    relative: n.relative ?? 0,
  }));
  if (sorts.length === 0 && numbers.length === 0) return NO_NORMALIZERS;
  return {
    sortKey: (location) => sorts.find((s) => s.test(location))?.by,
    tolerance: (location) => numbers.find((n) => n.test(location)),
  };
}

function sortValue(element: unknown, by: string): string {
  if (by === '') return JSON.stringify(element) ?? '';
  const value =
    element !== null && typeof element === 'object' && !Array.isArray(element)
      ? (element as Record<string, unknown>)[by]
      : undefined;
  // Numbers sort numerically, with the padding keeping strings and numbers apart.
  if (typeof value === 'number') return `n${(value + 1e15).toFixed(6).padStart(30, '0')}`;
  return `s${typeof value === 'string' ? value : (JSON.stringify(value) ?? '')}`;
}

/** A sorted copy of an array: by an element field, or by the element's JSON text. */
export function sortArray(items: readonly unknown[], by: string): unknown[] {
  return items
    .map((item) => ({ item, key: sortValue(item, by) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((e) => e.item);
}

/** True when two numbers are equal within a tolerance. */
export function closeEnough(
  a: number,
  b: number,
  t: { absolute: number; relative: number },
): boolean {
  const diff = Math.abs(a - b);
  return diff <= t.absolute || diff <= t.relative * Math.max(Math.abs(a), Math.abs(b));
}
