import { describe, expect, it } from 'vitest';
import { Batch } from './batch.js';
import { DomainRuleViolation } from './errors.js';
import type { OrderLine } from './order-line.js';
import { Product } from './product.js';

const SKU = 'RETRO-CLOCK';
const line = (orderid: string, qty: number, sku = SKU): OrderLine => ({ orderid, sku, qty });
const product = (...batches: Batch[]) => new Product(SKU, 0, batches);
const inWarehouse = (ref: string, qty: number) => new Batch(ref, SKU, qty, null);
const shipment = (ref: string, qty: number, eta: string) => new Batch(ref, SKU, qty, eta);

function violation(fn: () => unknown): DomainRuleViolation {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainRuleViolation) return err;
    throw err;
  }
  throw new Error('expected a DomainRuleViolation');
}

describe('Product.allocate (the book allocation rule)', () => {
  it('prefers warehouse stock to shipments', () => {
    const p = product(shipment('ship', 100, '2030-01-01'), inWarehouse('wh', 100));
    expect(p.allocate(line('o1', 10))).toBe('wh');
    expect(p.batch('wh')?.availableQuantity).toBe(90);
    expect(p.batch('ship')?.availableQuantity).toBe(100);
  });

  it('prefers the earliest shipment', () => {
    const p = product(
      shipment('slow', 100, '2030-03-01'),
      shipment('medium', 100, '2030-02-01'),
      shipment('speedy', 100, '2030-01-01'),
    );
    expect(p.allocate(line('o1', 10))).toBe('speedy');
  });

  it('breaks eta ties by reference', () => {
    const p = product(shipment('b-2', 10, '2030-01-01'), shipment('b-1', 10, '2030-01-01'));
    expect(p.allocate(line('o1', 1))).toBe('b-1');
  });

  it('skips batches that cannot take the whole line', () => {
    const p = product(inWarehouse('wh', 5), shipment('ship', 100, '2030-01-01'));
    expect(p.allocate(line('o1', 10))).toBe('ship');
  });

  it('raises OutOfStock and allocates nothing when no batch can take the line', () => {
    const p = product(inWarehouse('wh', 5), shipment('ship', 5, '2030-01-01'));
    expect(p.allocate(line('o1', 10))).toBeNull();
    expect(p.events).toEqual([{ type: 'OutOfStock', sku: SKU, orderid: 'o1' }]);
    expect(p.version).toBe(0);
  });

  it('raises Allocated and bumps the version', () => {
    const p = product(inWarehouse('wh', 5));
    p.allocate(line('o1', 2));
    expect(p.version).toBe(1);
    expect(p.events).toEqual([
      { type: 'Allocated', orderid: 'o1', sku: SKU, qty: 2, batchref: 'wh' },
    ]);
  });

  it('keeps an allocated order on its batch whatever quantity is asked again', () => {
    const p = product(inWarehouse('wh', 5), shipment('ship', 100, '2030-01-01'));
    p.allocate(line('o1', 2));
    expect(p.allocate(line('o1', 50))).toBe('wh');
    expect(p.batch('wh')?.availableQuantity).toBe(3);
    expect(p.version).toBe(1);
  });

  it('refuses an order line for another sku', () => {
    const p = product(inWarehouse('wh', 5));
    expect(violation(() => p.allocate(line('o1', 1, 'OTHER'))).code).toBe('wrong_sku');
  });
});

describe('Product.deallocate', () => {
  it('gives the units back and keeps the line known, unallocated', () => {
    const p = product(inWarehouse('wh', 5));
    p.allocate(line('o1', 2));
    expect(p.deallocate('o1')).toBe('wh');
    expect(p.batch('wh')?.availableQuantity).toBe(5);
    expect(p.unallocatedLines).toEqual([line('o1', 2)]);
    expect(p.events.at(-1)).toEqual({
      type: 'Deallocated',
      orderid: 'o1',
      sku: SKU,
      qty: 2,
      batchref: 'wh',
    });
  });

  it('refuses an order with no allocated line, with the legacy wording', () => {
    const p = product(inWarehouse('wh', 5));
    const err = violation(() => p.deallocate('o1'));
    expect(err.code).toBe('line_not_allocated');
    expect(err.message).toBe(`No allocated line for order o1 and sku ${SKU}`);
  });

  it('allocates a deallocated line again by the rule, with the new quantity', () => {
    const p = product(inWarehouse('wh', 5), shipment('ship', 100, '2030-01-01'));
    p.allocate(line('o1', 2));
    p.deallocate('o1');
    expect(p.allocate(line('o1', 8))).toBe('ship');
    expect(p.unallocatedLines).toEqual([]);
  });
});

describe('Product.changeBatchQuantity', () => {
  it('takes back the most recent allocations until the batch covers what stays allocated', () => {
    const p = product(inWarehouse('wh', 10));
    p.allocate(line('o1', 4));
    p.allocate(line('o2', 3));
    p.allocate(line('o3', 2));
    const taken = p.changeBatchQuantity('wh', 5);
    expect(taken.map((l) => l.orderid)).toEqual(['o3', 'o2']);
    expect(p.batch('wh')?.availableQuantity).toBe(1);
    expect(p.unallocatedLines.map((l) => l.orderid).sort()).toEqual(['o2', 'o3']);
    expect(p.events.slice(-3).map((e) => e.type)).toEqual([
      'BatchQuantityChanged',
      'Deallocated',
      'Deallocated',
    ]);
  });

  it('changes nothing when the quantity is the same', () => {
    const p = product(inWarehouse('wh', 10));
    expect(p.changeBatchQuantity('wh', 10)).toEqual([]);
    expect(p.events).toEqual([]);
    expect(p.version).toBe(0);
  });

  it('refuses an unknown batch', () => {
    expect(violation(() => product().changeBatchQuantity('nope', 1)).code).toBe('unknown_batch');
  });
});

describe('recorded facts', () => {
  it('records a quantity change without deallocating: the source reports its deallocations itself', () => {
    const p = product(inWarehouse('wh', 10));
    p.recordAllocation(line('o1', 8), 'wh');
    expect(p.recordBatchQuantity('wh', 5)).toBe(true);
    expect(p.batch('wh')?.availableQuantity).toBe(-3);
    p.recordDeallocation('o1', 'wh');
    expect(p.batch('wh')?.availableQuantity).toBe(5);
  });

  it('records an allocation to the batch the source chose, not the one the rule would pick', () => {
    const p = product(inWarehouse('wh', 10), shipment('ship', 10, '2030-01-01'));
    expect(p.recordAllocation(line('o1', 2), 'ship')).toBe(true);
    expect(p.batch('ship')?.availableQuantity).toBe(8);
    expect(p.batch('wh')?.availableQuantity).toBe(10);
  });

  it('treats the same allocation recorded twice as no change', () => {
    const p = product(inWarehouse('wh', 10));
    p.recordAllocation(line('o1', 2), 'wh');
    expect(p.recordAllocation(line('o1', 2), 'wh')).toBe(false);
    expect(p.batch('wh')?.availableQuantity).toBe(8);
  });

  it('refuses an allocation to an unknown batch', () => {
    const err = violation(() => product().recordAllocation(line('o1', 2), 'ghost'));
    expect(err.code).toBe('unknown_batch');
    expect(err.message).toBe(`Unknown batch ghost for sku ${SKU}`);
  });

  it('refuses a second allocation of a line that is still allocated elsewhere', () => {
    const p = product(inWarehouse('wh', 10), inWarehouse('wh-2', 10));
    p.recordAllocation(line('o1', 2), 'wh');
    expect(violation(() => p.recordAllocation(line('o1', 2), 'wh-2')).code).toBe(
      'line_already_allocated',
    );
  });

  it('refuses a deallocation of a line the batch does not hold', () => {
    const p = product(inWarehouse('wh', 10));
    expect(violation(() => p.recordDeallocation('o1', 'wh')).code).toBe('line_not_allocated');
  });

  it('records a batch once; recorded again it states the batch as it is now', () => {
    const p = product();
    expect(p.recordBatch('b1', 10, null)).toBe(true);
    expect(p.recordBatch('b1', 10, null)).toBe(false);
    expect(p.recordBatch('b1', 11, '2030-01-01')).toBe(true);
    expect(p.batch('b1')).toMatchObject({ purchasedQuantity: 11, eta: '2030-01-01' });
    expect(violation(() => p.addBatch('b1', 11, null)).code).toBe('batch_exists');
  });

  it('changes an eta and reorders the batches by it', () => {
    const p = product(shipment('a', 10, '2030-05-01'), shipment('b', 10, '2030-06-01'));
    expect(p.changeBatchEta('b', null)).toBe(true);
    expect(p.batchesInAllocationOrder().map((b) => b.reference)).toEqual(['b', 'a']);
    expect(p.changeBatchEta('b', null)).toBe(false);
  });

  it('calls a fact older than the product version stale, and never moves the version back', () => {
    const p = new Product(SKU, 5);
    expect(p.isStale(4)).toBe(true);
    expect(p.isStale(5)).toBe(false);
    expect(p.isStale(undefined)).toBe(false);
    p.observeVersion(3);
    expect(p.version).toBe(5);
    p.observeVersion(7);
    expect(p.version).toBe(7);
  });
});
