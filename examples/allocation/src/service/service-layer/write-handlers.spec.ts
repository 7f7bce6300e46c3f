import { describe, expect, it } from 'vitest';
import { outboxEvents } from '../adapters/outbox-events.js';
import { allocationCatalog } from '../../catalog/index.js';
import { FakeAllocationUnitOfWork } from '../testing/fakes.fixture.js';
import { addBatch, allocate, changeBatchQuantity, deallocate } from './write-handlers.js';

const types = allocationCatalog.types;

async function stocked() {
  const uow = new FakeAllocationUnitOfWork();
  await addBatch(uow, { ref: 'wh', sku: 'RUG', qty: 10, eta: null });
  await addBatch(uow, { ref: 'jun', sku: 'RUG', qty: 20, eta: '2030-06-01' });
  uow.collectNewEvents();
  return uow;
}

describe('write commands', () => {
  it('creates the product with its first batch and counts a version per command, as legacy does', async () => {
    const uow = new FakeAllocationUnitOfWork();
    await addBatch(uow, { ref: 'wh', sku: 'RUG', qty: 10, eta: null });
    const events = uow.collectNewEvents();
    const product = (await uow.products.get('RUG'))!;
    expect(product.version).toBe(1);
    expect(outboxEvents(events, () => product.version)).toEqual([
      { type: types.ProductCreated, data: { sku: 'RUG', version: 1 } },
      { type: types.BatchCreated, data: { sku: 'RUG', ref: 'wh', qty: 10, eta: null, version: 1 } },
    ]);
  });

  it('refuses with the messages legacy answers', async () => {
    const uow = await stocked();
    await expect(
      addBatch(uow, { ref: 'wh', sku: 'LAMP', qty: 1, eta: null }),
    ).rejects.toMatchObject({ code: 'batch_exists', message: 'Batch wh already exists' });
    await expect(allocate(uow, { orderid: 'o1', sku: 'RUG', qty: 99 })).rejects.toMatchObject({
      code: 'out_of_stock',
      message: 'Out of stock for sku RUG',
    });
    await expect(allocate(uow, { orderid: 'o1', sku: 'NONE', qty: 1 })).rejects.toMatchObject({
      message: 'Invalid sku NONE',
    });
    await expect(deallocate(uow, 'o9', 'RUG')).rejects.toMatchObject({
      message: 'No allocated line for order o9 and sku RUG',
    });
    await expect(changeBatchQuantity(uow, 'nope', 1)).rejects.toMatchObject({
      message: 'Unknown batch nope',
    });
  });

  it('takes the most recent allocations back when a quantity falls, and publishes each with the version', async () => {
    const uow = await stocked();
    await allocate(uow, { orderid: 'o1', sku: 'RUG', qty: 4 });
    await allocate(uow, { orderid: 'o2', sku: 'RUG', qty: 6 });
    uow.collectNewEvents();
    const answer = await changeBatchQuantity(uow, 'wh', 5);
    expect(answer).toEqual({
      ref: 'wh',
      sku: 'RUG',
      qty: 5,
      eta: null,
      deallocated: [{ orderid: 'o2', sku: 'RUG', qty: 6 }],
    });
    const version = (await uow.products.get('RUG'))!.version;
    expect(outboxEvents(uow.collectNewEvents(), () => version).map((e) => e.type)).toEqual([
      types.BatchQuantityChanged,
      types.Deallocated,
    ]);
  });
});
