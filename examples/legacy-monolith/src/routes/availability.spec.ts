import { beforeAll, describe, expect, it } from 'vitest';
import { fresh, startTestApp, type TestApp } from '../testing/test-app.js';
import { todayUtc } from '../validate.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp('availability');
});

/** Warehouse 10 (3 allocated), shipments 2031-01-10 x5 and 2030-06-01 x20. */
async function stockedSku() {
  const [sku, p] = [fresh('SKU'), fresh('b')];
  await app.addBatch(`${p}-wh`, sku, 10);
  await app.addBatch(`${p}-jan`, sku, 5, '2031-01-10');
  await app.addBatch(`${p}-jun`, sku, 20, '2030-06-01');
  await app.allocate(fresh('o'), sku, 3);
  return { sku, p };
}

const availability = (sku: string, query = '') =>
  app.call('GET', `/products/${encodeURIComponent(sku)}/availability${query}`);

describe('GET /products/:sku/availability', () => {
  it('reports every batch in allocation order with its available units and the totals', async () => {
    const { sku, p } = await stockedSku();
    const res = await availability(sku, '?qty=8');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      sku,
      requestedQty: 8,
      availableNow: 7,
      totalAvailable: 32,
      batches: [
        { ref: `${p}-wh`, eta: null, available: 7 },
        { ref: `${p}-jun`, eta: '2030-06-01', available: 20 },
        { ref: `${p}-jan`, eta: '2031-01-10', available: 5 },
      ],
      canFulfil: true,
      earliestDate: '2030-06-01',
    });
  });

  it('dates a quantity the warehouse can take today (UTC)', async () => {
    const { sku } = await stockedSku();
    const before = todayUtc();
    const res = await availability(sku, '?qty=7');
    expect(res.body.canFulfil).toBe(true);
    expect([before, todayUtc()]).toContain(res.body.earliestDate);
  });

  it('defaults the quantity to 1', async () => {
    const { sku } = await stockedSku();
    const res = await availability(sku);
    expect(res.body.requestedQty).toBe(1);
    expect(res.body.earliestDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('cannot fulfil when no single batch can take the quantity, even if the total could', async () => {
    const { sku } = await stockedSku();
    const res = await availability(sku, '?qty=21');
    expect(res.body).toMatchObject({ totalAvailable: 32, canFulfil: false, earliestDate: null });
  });

  it('agrees with the allocation it predicts', async () => {
    const { sku, p } = await stockedSku();
    const predicted = await availability(sku, '?qty=6');
    const allocated = await app.allocate(fresh('o'), sku, 6);
    expect(allocated.body.batchref).toBe(`${p}-wh`);
    expect(predicted.body.batches[0].ref).toBe(`${p}-wh`);
    const after = await availability(sku, '?qty=6');
    expect(after.body).toMatchObject({ availableNow: 1, earliestDate: '2030-06-01' });
  });

  it('lists a fully allocated batch with 0 available', async () => {
    const [sku, ref] = [fresh('SKU'), fresh('b')];
    await app.addBatch(ref, sku, 2, '2030-01-01');
    await app.allocate(fresh('o'), sku, 2);
    const res = await availability(sku);
    expect(res.body).toMatchObject({
      availableNow: 0,
      totalAvailable: 0,
      batches: [{ ref, eta: '2030-01-01', available: 0 }],
      canFulfil: false,
      earliestDate: null,
    });
  });

  it('answers 404 "Invalid sku" for an unknown sku', async () => {
    const sku = fresh('NOPE');
    const res = await availability(sku);
    expect(res.status).toBe(404);
    expect(res.body.message).toBe(`Invalid sku ${sku}`);
  });

  it.each([
    '?qty=0',
    '?qty=-1',
    '?qty=abc',
    '?qty=1.5',
    '?qty=',
    '?qty=2147483648',
    '?qty=1&qty=2',
  ])('answers 400 naming qty for %s', async (query) => {
    const { sku } = await stockedSku();
    const res = await availability(sku, query);
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('qty must be an integer between 1 and 2147483647');
  });
});
