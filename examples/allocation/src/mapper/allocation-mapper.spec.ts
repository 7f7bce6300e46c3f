import { UNCHANGED_TOAST } from '@strangler/legacy-adapter';
import { change, MapperSpec } from '@strangler/legacy-adapter/testing';
import { describe, it } from 'vitest';
import { allocationCatalog } from '../catalog/index.js';
import mapper, { ALLOCATIONS, BATCHES, ORDER_LINES, PRODUCTS } from './index.js';

const types = allocationCatalog.types;
const line = { id: 7, orderid: 'o-1', sku: 'RUG', qty: 3 };
const batch = { id: 2, reference: 'b-2', sku: 'RUG', purchased_quantity: 10, eta: null };
const alloc = { id: 1, orderline_id: 7, batch_id: 2 };
const allocated = { sku: 'RUG', orderid: 'o-1', qty: 3, batchref: 'b-2' };

// The order line and the batch are in the legacy database; the stream has not shown them.
const spec = MapperSpec.for(mapper, allocationCatalog).givenDatabase([
  { table: ORDER_LINES, row: line },
  { table: BATCHES, row: batch },
  { table: PRODUCTS, row: { sku: 'RUG', version_number: 4 } },
]);

describe('allocation mapping (anti-corruption layer)', () => {
  it('turns a new product and batch into ProductCreated and BatchCreated with dates as YYYY-MM-DD', async () => {
    await spec
      .when(change.insert(PRODUCTS, { sku: 'RUG', version_number: 0 }))
      .then([{ type: types.ProductCreated, data: { sku: 'RUG', version: 0 } }]);
    await spec
      .when(
        change.insert(BATCHES, {
          id: 3,
          reference: 'b-3',
          sku: 'RUG',
          purchased_quantity: 20,
          eta: '2030-02-01',
        }),
      )
      .then([
        { type: types.BatchCreated, data: { sku: 'RUG', ref: 'b-3', qty: 20, eta: '2030-02-01' } },
      ]);
  });

  it('emits one event per changed batch attribute and none for an unchanged row', async () => {
    await spec
      .when(change.update(BATCHES, batch, { ...batch, purchased_quantity: 8, eta: '2030-01-01' }))
      .then([
        { type: types.BatchQuantityChanged, data: { sku: 'RUG', ref: 'b-2', qty: 8 } },
        { type: types.BatchEtaChanged, data: { sku: 'RUG', ref: 'b-2', eta: '2030-01-01' } },
      ]);
    await spec.when(change.update(BATCHES, batch, { ...batch })).thenNothing();
  });

  it('resolves an allocation row’s ids into the order, quantity and batch reference', async () => {
    await spec
      .when(change.insert(ALLOCATIONS, alloc))
      .then([{ type: types.Allocated, data: allocated }]);
    await spec
      .when(change.delete(ALLOCATIONS, alloc))
      .then([{ type: types.Deallocated, data: allocated }]);
  });

  it('turns a moved allocation into a deallocation from the old batch and an allocation to the new', async () => {
    const other = { id: 5, reference: 'b-5', sku: 'RUG', purchased_quantity: 10, eta: null };
    await spec
      .given([{ table: BATCHES, row: other }])
      .when(change.update(ALLOCATIONS, alloc, { ...alloc, batch_id: 5 }))
      .then([
        { type: types.Deallocated, data: allocated },
        { type: types.Allocated, data: { ...allocated, batchref: 'b-5' } },
      ]);
    await spec.when(change.update(ALLOCATIONS, alloc, { ...alloc })).thenNothing();
  });

  it('ignores order lines until they are allocated', async () => {
    await spec.when(change.insert(ORDER_LINES, line)).thenNothing();
  });

  it('stamps the version the transaction gave the product, or the last one the stream showed, never a database read', async () => {
    const created = change.insert(PRODUCTS, { sku: 'RUG', version_number: 0 });
    const bumped = change.update(PRODUCTS, null, { sku: 'RUG', version_number: 9 });
    // The transaction's last write of the product counts, even when it comes after the change.
    await spec
      .when([created, bumped])
      .then([{ type: types.ProductCreated, data: { sku: 'RUG', version: 9 } }]);
    // The database says version 4, but the stream has not shown it: no version rather than a
    // future one, which would make consumers skip the events in between as stale.
    await spec
      .when(change.insert(ALLOCATIONS, alloc))
      .then([{ type: types.Allocated, data: allocated }]);
    await spec
      .given([{ table: PRODUCTS, row: { sku: 'RUG', version_number: 3 } }])
      .when(change.insert(ALLOCATIONS, alloc))
      .then([{ type: types.Allocated, data: { ...allocated, version: 3 } }]);
  });

  it('stamps snapshot rows with the product row of the snapshot', async () => {
    await spec
      .when(change.snapshot(PRODUCTS, { sku: 'RUG', version_number: 2 }))
      .then([{ type: types.ProductCreated, data: { sku: 'RUG', version: 2 } }]);
    await spec
      .given([{ table: PRODUCTS, row: { sku: 'RUG', version_number: 2 } }])
      .when(change.snapshot(BATCHES, batch))
      .then([
        {
          type: types.BatchCreated,
          data: { sku: 'RUG', ref: 'b-2', qty: 10, eta: null, version: 2 },
        },
      ]);
  });

  it('refuses what the new model has no event for, and values it cannot know, with the reason', async () => {
    await spec.when(change.delete(BATCHES, batch)).thenThrows('batch b-2 was deleted');
    await spec
      .when(change.update(BATCHES, batch, { ...batch, reference: 'b-9' }))
      .thenThrows('batch b-2 changed its reference or sku');
    await spec
      .when(change.insert(ALLOCATIONS, { id: 5, orderline_id: 99, batch_id: 2 }))
      .thenThrows('allocation 5 refers to order line 99, which is not known');
    await spec
      .when(change.insert(BATCHES, { ...batch, sku: UNCHANGED_TOAST }))
      .thenThrows('unchanged TOAST value');
    await spec
      .when(change.insert('public.other', {}))
      .thenThrows('public.other is captured but has no mapping');
    await spec
      .when(change.insert(BATCHES, { ...batch, purchased_quantity: 'many' }))
      .thenThrows('column purchased_quantity is "many"; expected an integer');
    await spec
      .when(change.insert(BATCHES, { ...batch, purchased_quantity: -1 }))
      .thenThrows('data.qty: must be >= 0');
  });
});
