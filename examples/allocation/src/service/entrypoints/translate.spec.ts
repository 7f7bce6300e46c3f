import { describe, expect, it } from 'vitest';
import { allocationCatalog, type AllocationEvent } from '../../catalog/index.js';
import { translate } from './translate.js';

const t = allocationCatalog.types;
const attributes = { id: 'e-1', source: '/legacy/postgres/shop', time: '2026-01-01T00:00:00Z' };
const event = (type: string, data: unknown) =>
  (allocationCatalog.createEvent as (t: string, d: unknown, a: object) => AllocationEvent)(
    type,
    data,
    attributes,
  );

describe('translate (integration event -> command)', () => {
  it('turns each event type into its recording command, keeping the aggregate version', () => {
    const cases = [
      [t.ProductCreated, { sku: 'S', version: 2 }, { type: 'RecordProduct', sku: 'S', version: 2 }],
      [
        t.BatchCreated,
        { sku: 'S', ref: 'b', qty: 1, eta: null },
        { type: 'RecordBatch', sku: 'S', ref: 'b', qty: 1, eta: null },
      ],
      [
        t.BatchQuantityChanged,
        { sku: 'S', ref: 'b', qty: 3 },
        { type: 'RecordBatchQuantity', sku: 'S', ref: 'b', qty: 3 },
      ],
      [
        t.BatchEtaChanged,
        { sku: 'S', ref: 'b', eta: '2030-01-01' },
        { type: 'RecordBatchEta', sku: 'S', ref: 'b', eta: '2030-01-01' },
      ],
      [
        t.Allocated,
        { sku: 'S', orderid: 'o', qty: 1, batchref: 'b' },
        { type: 'RecordAllocation', sku: 'S', orderid: 'o', qty: 1, batchref: 'b' },
      ],
      [
        t.Deallocated,
        { sku: 'S', orderid: 'o', qty: 1, batchref: 'b' },
        { type: 'RecordDeallocation', sku: 'S', orderid: 'o', qty: 1, batchref: 'b' },
      ],
    ] as const;
    for (const [type, data, command] of cases)
      expect(translate(event(type, data))).toEqual(command);
  });

  it('leaves the version out of a replayed dead letter, which is older than the product by nature', () => {
    const allocated = event(t.Allocated, {
      sku: 'S',
      orderid: 'o',
      qty: 1,
      batchref: 'b',
      version: 7,
    });
    expect(translate(allocated)).toMatchObject({ version: 7 });
    expect(translate(allocated, { replay: true })).not.toHaveProperty('version');
  });
});
