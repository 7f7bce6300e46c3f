import { describe, expect, it } from 'vitest';
import { Batch } from './batch.js';
import type { OrderLine } from './order-line.js';

const line = (orderid: string, qty: number, sku = 'SMALL-TABLE'): OrderLine => ({
  orderid,
  sku,
  qty,
});
const batch = (qty: number, eta: string | null = null) =>
  new Batch('batch-001', 'SMALL-TABLE', qty, eta);

describe('Batch', () => {
  it('reduces the available quantity by what it allocates', () => {
    const b = batch(20);
    expect(b.allocate(line('order-1', 2))).toBe(true);
    expect(b.availableQuantity).toBe(18);
    expect(b.allocatedQuantity).toBe(2);
  });

  it('can allocate a line when it has more or exactly enough units, not when it has fewer', () => {
    expect(batch(20).canAllocate(line('o', 2))).toBe(true);
    expect(batch(2).canAllocate(line('o', 2))).toBe(true);
    expect(batch(1).canAllocate(line('o', 2))).toBe(false);
  });

  it('cannot allocate a line for another sku', () => {
    expect(batch(20).canAllocate(line('o', 2, 'EXPENSIVE-TOASTER'))).toBe(false);
  });

  it('refuses a line it cannot take whole, leaving its stock untouched', () => {
    const b = batch(1);
    expect(b.allocate(line('o', 2))).toBe(false);
    expect(b.availableQuantity).toBe(1);
    expect(b.allocations).toEqual([]);
  });

  it('allocates the same order line only once', () => {
    const b = batch(20);
    b.allocate(line('order-1', 2));
    expect(b.allocate(line('order-1', 2))).toBe(false);
    expect(b.availableQuantity).toBe(18);
  });

  it('deallocates only lines it holds', () => {
    const b = batch(20);
    expect(b.deallocate('order-1')).toBeUndefined();
    b.allocate(line('order-1', 2));
    expect(b.deallocate('order-1')).toEqual(line('order-1', 2));
    expect(b.availableQuantity).toBe(20);
  });

  it('takes back the most recently allocated line first', () => {
    const b = batch(20);
    b.allocate(line('first', 2));
    b.allocate(line('second', 3));
    expect(b.deallocateOne()?.orderid).toBe('second');
    expect(b.deallocateOne()?.orderid).toBe('first');
    expect(b.deallocateOne()).toBeUndefined();
  });

  it('records an allocation a source already decided even beyond its stock', () => {
    const b = batch(1);
    b.record(line('o', 3));
    expect(b.availableQuantity).toBe(-2);
  });

  it('orders warehouse stock first, then by eta, then by reference in code point order', () => {
    const batches = [
      new Batch('b', 'S', 1, '2030-01-02'),
      new Batch('\u{1F600}', 'S', 1, '2030-01-01'),
      new Batch('\uFF21', 'S', 1, '2030-01-01'),
      new Batch('z', 'S', 1, null),
      new Batch('B', 'S', 1, null),
    ];
    // U+FF21 sorts before U+1F600 by code point, though its UTF-16 unit is greater than a surrogate.
    expect(batches.sort(Batch.compare).map((b) => b.reference)).toEqual([
      'B',
      'z',
      '\uFF21',
      '\u{1F600}',
      'b',
    ]);
  });
});
