import { beforeAll, describe, expect, it } from 'vitest';
import { fresh, startTestApp, type TestApp } from '../testing/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp('allocations');
});

const available = async (sku: string) => {
  const res = await app.call('GET', `/products/${sku}/availability`);
  return Object.fromEntries(
    (res.body.batches as { ref: string; available: number }[]).map((b) => [b.ref, b.available]),
  );
};

describe('POST /allocate: the allocation rule', () => {
  it('prefers warehouse stock to shipments', async () => {
    const [sku, p] = [fresh('SKU'), fresh('b')];
    await app.addBatch(`${p}-ship`, sku, 100, '2030-01-01');
    await app.addBatch(`${p}-wh`, sku, 100);
    const res = await app.allocate(fresh('o'), sku, 10);
    expect(res.status).toBe(201);
    expect(res.body.batchref).toBe(`${p}-wh`);
  });

  it('prefers the earliest shipment when there is no warehouse stock', async () => {
    const [sku, p] = [fresh('SKU'), fresh('b')];
    await app.addBatch(`${p}-late`, sku, 100, '2030-03-01');
    await app.addBatch(`${p}-early`, sku, 100, '2030-01-01');
    await app.addBatch(`${p}-middle`, sku, 100, '2030-02-01');
    expect((await app.allocate(fresh('o'), sku, 10)).body.batchref).toBe(`${p}-early`);
  });

  it('breaks ties by reference in code-point order, whatever the database locale', async () => {
    const [sku, p] = [fresh('SKU'), fresh('b')];
    await app.addBatch(`${p}-a`, sku, 100, '2030-01-01');
    await app.addBatch(`${p}-Z`, sku, 100, '2030-01-01');
    // 'Z' (U+005A) sorts before 'a' (U+0061) by code point, after it in most locales.
    expect((await app.allocate(fresh('o'), sku, 1)).body.batchref).toBe(`${p}-Z`);
    const wh = fresh('SKU');
    await app.addBatch(`${p}-wh-b`, wh, 100);
    await app.addBatch(`${p}-wh-B`, wh, 100);
    expect((await app.allocate(fresh('o'), wh, 1)).body.batchref).toBe(`${p}-wh-B`);
  });

  it('never splits a line: it skips batches that cannot take the whole quantity', async () => {
    const [sku, p] = [fresh('SKU'), fresh('b')];
    await app.addBatch(`${p}-wh`, sku, 4);
    await app.addBatch(`${p}-ship`, sku, 10, '2030-01-01');
    expect((await app.allocate(fresh('o'), sku, 5)).body.batchref).toBe(`${p}-ship`);
    expect((await app.allocate(fresh('o'), sku, 4)).body.batchref).toBe(`${p}-wh`);
    expect(await available(sku)).toEqual({ [`${p}-wh`]: 0, [`${p}-ship`]: 5 });
  });

  it('answers 400 "Out of stock" and writes no order line when no batch can take it', async () => {
    const [sku, orderid] = [fresh('SKU'), fresh('o')];
    await app.addBatch(fresh('b'), sku, 3);
    await app.addBatch(fresh('b'), sku, 3, '2030-01-01');
    const res = await app.allocate(orderid, sku, 4);
    expect(res.status).toBe(400);
    expect(res.body.message).toBe(`Out of stock for sku ${sku}`);
    expect((await app.call('GET', `/allocations/${orderid}`)).status).toBe(404);
    expect(await app.version(sku)).toBe(2);
  });

  it('answers 400 "Invalid sku" for a sku without batches', async () => {
    const sku = fresh('NOPE');
    const res = await app.allocate(fresh('o'), sku, 1);
    expect(res.status).toBe(400);
    expect(res.body.message).toBe(`Invalid sku ${sku}`);
  });

  it('bumps the product version once per allocation', async () => {
    const sku = fresh('SKU');
    await app.addBatch(fresh('b'), sku, 10);
    await app.allocate(fresh('o'), sku, 1);
    await app.allocate(fresh('o'), sku, 1);
    expect(await app.version(sku)).toBe(3);
  });

  it.each([
    [{ sku: 'S', qty: 1 }, 'orderid is required'],
    [{ orderid: 'o', qty: 1 }, 'sku is required'],
    [{ orderid: 'o', sku: 'S' }, 'qty is required'],
    [{ orderid: 'o', sku: 'S', qty: 0 }, 'qty must be an integer between 1 and 2147483647'],
    [{ orderid: 'o', sku: 'S', qty: '1' }, 'qty must be an integer between 1 and 2147483647'],
    [{ orderid: 1, sku: 'S', qty: 1 }, 'orderid must be a string'],
    ['"just a string"', 'body'],
  ])('answers 400 naming the field for %j', async (body, message) => {
    const res = await app.call('POST', '/allocate', body);
    expect(res.status).toBe(400);
    expect(res.body.message).toContain(message);
  });
});

describe('POST /allocate: repeated and re-allocated lines', () => {
  it('is idempotent: the same line again answers the existing batch and allocates nothing more', async () => {
    const [sku, ref, orderid] = [fresh('SKU'), fresh('b'), fresh('o')];
    await app.addBatch(ref, sku, 10);
    const first = await app.allocate(orderid, sku, 3);
    await app.addBatch(fresh('b'), sku, 10); // a later batch must not attract the repeat
    const again = await app.allocate(orderid, sku, 3);
    const otherQty = await app.allocate(orderid, sku, 7);
    expect([first.status, again.status, otherQty.status]).toEqual([201, 201, 201]);
    expect(again.body.batchref).toBe(ref);
    expect(otherQty.body.batchref).toBe(ref);
    expect((await available(sku))[ref]).toBe(7);
    expect((await app.call('GET', `/allocations/${orderid}`)).body).toEqual([
      { orderid, sku, qty: 3, batchref: ref },
    ]);
    expect(await app.version(sku)).toBe(1 + 1 + 1);
  });

  it('re-allocates a deallocated line with the quantity asked now', async () => {
    const [sku, p, orderid] = [fresh('SKU'), fresh('b'), fresh('o')];
    await app.addBatch(`${p}-wh`, sku, 5);
    await app.addBatch(`${p}-ship`, sku, 50, '2030-01-01');
    await app.allocate(orderid, sku, 2);
    await app.call('POST', '/deallocate', { orderid, sku });
    const res = await app.allocate(orderid, sku, 8);
    expect(res.status).toBe(201);
    expect(res.body.batchref).toBe(`${p}-ship`);
    expect((await app.call('GET', `/allocations/${orderid}`)).body).toEqual([
      { orderid, sku, qty: 8, batchref: `${p}-ship` },
    ]);
    expect(await available(sku)).toEqual({ [`${p}-wh`]: 5, [`${p}-ship`]: 42 });
  });

  it('keeps a deallocated line unallocated with its old quantity when re-allocation fails', async () => {
    const [sku, ref, orderid] = [fresh('SKU'), fresh('b'), fresh('o')];
    await app.addBatch(ref, sku, 5);
    await app.allocate(orderid, sku, 2);
    await app.call('PATCH', `/batches/${ref}`, { qty: 1 });
    const res = await app.allocate(orderid, sku, 2);
    expect(res.body.message).toBe(`Out of stock for sku ${sku}`);
    expect((await app.call('GET', `/allocations/${orderid}`)).body).toEqual([
      { orderid, sku, qty: 2, batchref: null },
    ]);
  });
});

describe('POST /deallocate', () => {
  it('removes the allocation, keeps the line and frees the stock', async () => {
    const [sku, ref, orderid] = [fresh('SKU'), fresh('b'), fresh('o')];
    await app.addBatch(ref, sku, 10);
    await app.allocate(orderid, sku, 4);
    const res = await app.call('POST', '/deallocate', { orderid, sku });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ orderid, sku, batchref: ref });
    expect((await app.call('GET', `/allocations/${orderid}`)).body).toEqual([
      { orderid, sku, qty: 4, batchref: null },
    ]);
    expect((await available(sku))[ref]).toBe(10);
    expect(await app.version(sku)).toBe(3);
  });

  it('answers 400 when the line is not allocated, or was already deallocated', async () => {
    const [sku, orderid] = [fresh('SKU'), fresh('o')];
    await app.addBatch(fresh('b'), sku, 10);
    const never = await app.call('POST', '/deallocate', { orderid, sku });
    await app.allocate(orderid, sku, 1);
    await app.call('POST', '/deallocate', { orderid, sku });
    const twice = await app.call('POST', '/deallocate', { orderid, sku });
    for (const res of [never, twice]) {
      expect(res.status).toBe(400);
      expect(res.body.message).toBe(`No allocated line for order ${orderid} and sku ${sku}`);
    }
  });

  it('answers 400 "Invalid sku" for an unknown sku and names missing fields', async () => {
    const sku = fresh('NOPE');
    const unknown = await app.call('POST', '/deallocate', { orderid: 'o', sku });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toBe(`Invalid sku ${sku}`);
    const missing = await app.call('POST', '/deallocate', { sku });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toBe('orderid is required');
  });
});

describe('GET /allocations/:orderid', () => {
  it("lists the order's lines by sku in code-point order, allocated or not", async () => {
    const [p, orderid] = [fresh('SKU'), fresh('o')];
    const [skuA, skuZ, skuLower] = [`${p}-A`, `${p}-Z`, `${p}-a`];
    for (const sku of [skuLower, skuZ, skuA]) await app.addBatch(`${sku}-batch`, sku, 10);
    for (const sku of [skuLower, skuZ, skuA]) await app.allocate(orderid, sku, 2);
    await app.call('POST', '/deallocate', { orderid, sku: skuZ });
    const res = await app.call('GET', `/allocations/${orderid}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { orderid, sku: skuA, qty: 2, batchref: `${skuA}-batch` },
      { orderid, sku: skuZ, qty: 2, batchref: null },
      { orderid, sku: skuLower, qty: 2, batchref: `${skuLower}-batch` },
    ]);
  });

  it('answers 404 for an unknown order', async () => {
    const res = await app.call('GET', '/allocations/no-such-order');
    expect(res.status).toBe(404);
    expect(res.body.message).toBe('Unknown order no-such-order');
  });
});
