import type { IsoDate } from './order-line.js';

/**
 * Orders strings by Unicode code point, as Postgres `COLLATE "C"` does on UTF-8 text. Plain `<`
 * compares UTF-16 code units, which puts U+E000..U+FFFF after astral characters; the legacy system
 * compares code points, and its tie-break is the contract.
 */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

// Surrogates (U+D800..U+DFFF) encode code points above U+FFFF, so they rank after U+E000..U+FFFF.
function codePointRank(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}

/** What the allocation order needs of a batch. */
export interface Orderable {
  readonly reference: string;
  readonly eta: IsoDate | null;
}

/**
 * The book's preference: warehouse stock (no eta) first, then the earliest shipment, ties broken by
 * reference (code point order). `YYYY-MM-DD` strings sort chronologically as text.
 */
export function compareAllocationOrder(a: Orderable, b: Orderable): number {
  if (a.eta !== b.eta) {
    if (a.eta === null) return -1;
    if (b.eta === null) return 1;
    return a.eta < b.eta ? -1 : 1;
  }
  return compareCodePoints(a.reference, b.reference);
}
