import { beforeAll, describe, expect, it } from 'vitest';
import { fresh, startTestApp, type TestApp } from '../testing/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp('batches');
});

describe('POST /batches', () => {
  it('creates a shipment batch and its product, answering 201 with the batch', async () => {
    const [ref, sku] = [fresh('b'), fresh('SKU')];
    const res = await app.addBatch(ref, sku, 100, '2030-01-31');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ ref, sku, qty: 100, eta: '2030-01-31' });
    expect(await app.version(sku)).toBe(1);
  });

  it('creates warehouse stock when eta is null or omitted', async () => {
    const sku = fresh('SKU');
    const withNull = await app.call('POST', '/batches', {
      ref: fresh('b'),
      sku,
      qty: 5,
      eta: null,
    });
    const omitted = await app.call('POST', '/batches', { ref: fresh('b'), sku, qty: 0 });
    expect([withNull.status, omitted.status]).toEqual([201, 201]);
    expect(withNull.body.eta).toBeNull();
    expect(omitted.body).toMatchObject({ qty: 0, eta: null });
    expect(await app.version(sku)).toBe(2);
  });

  it('keeps dates exactly as given, leap days and far years included', async () => {
    for (const eta of ['2028-02-29', '0001-01-01', '9999-12-31']) {
      const res = await app.addBatch(fresh('b'), fresh('SKU'), 1, eta);
      expect(res.body.eta).toBe(eta);
    }
  });

  it('refuses a duplicate reference with 409 and writes nothing, not even the new product', async () => {
    const ref = fresh('b');
    await app.addBatch(ref, fresh('SKU'), 10);
    const otherSku = fresh('SKU');
    const res = await app.addBatch(ref, otherSku, 10);
    expect(res.status).toBe(409);
    expect(res.body.message).toBe(`Batch ${ref} already exists`);
    expect(await app.version(otherSku)).toBeUndefined();
  });

  it.each([
    [{ sku: 'S', qty: 1 }, 'ref is required'],
    [{ ref: 7, sku: 'S', qty: 1 }, 'ref must be a string'],
    [{ ref: '', sku: 'S', qty: 1 }, 'ref must not be empty'],
    [{ ref: 'x'.repeat(256), sku: 'S', qty: 1 }, 'ref must be at most 255 characters'],
    [{ ref: 'a\u0000b', sku: 'S', qty: 1 }, 'ref must not contain control characters'],
    [{ ref: 'r', qty: 1 }, 'sku is required'],
    [{ ref: 'r', sku: ['S'], qty: 1 }, 'sku must be a string'],
    [{ ref: 'r', sku: 'S' }, 'qty is required'],
    [{ ref: 'r', sku: 'S', qty: '5' }, 'qty must be an integer between 0 and 2147483647'],
    [{ ref: 'r', sku: 'S', qty: -1 }, 'qty must be an integer between 0 and 2147483647'],
    [{ ref: 'r', sku: 'S', qty: 1.5 }, 'qty must be an integer between 0 and 2147483647'],
    [{ ref: 'r', sku: 'S', qty: 2147483648 }, 'qty must be an integer between 0 and 2147483647'],
    [{ ref: 'r', sku: 'S', qty: 1, eta: '2030-02-30' }, 'eta must be a date "YYYY-MM-DD" or null'],
    [{ ref: 'r', sku: 'S', qty: 1, eta: '2030/01/01' }, 'eta must be a date "YYYY-MM-DD" or null'],
    [{ ref: 'r', sku: 'S', qty: 1, eta: '0000-01-01' }, 'eta must be a date "YYYY-MM-DD" or null'],
    [{ ref: 'r', sku: 'S', qty: 1, eta: 20300101 }, 'eta must be a date "YYYY-MM-DD" or null'],
    [{ ref: 'r', sku: 'S', qty: 1, eta: '2030-01-01T00:00:00Z' }, 'eta must be a date'],
    [[{ ref: 'r' }], 'body must be a JSON object'],
  ])('answers 400 naming the field for %j', async (body, message) => {
    const res = await app.call('POST', '/batches', body);
    expect(res.status).toBe(400);
    expect(res.body.message).toContain(message);
  });

  it('answers 400 when the body is missing or not sent as JSON', async () => {
    const none = await app.call('POST', '/batches');
    const text = await app.call('POST', '/batches', '{"ref":"r"}', {
      'content-type': 'text/plain',
    });
    for (const res of [none, text]) {
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/^body must be a JSON object/);
    }
  });
});

describe('PATCH /batches/:ref', () => {
  it('changes the quantity and answers the batch with nothing deallocated', async () => {
    const [ref, sku] = [fresh('b'), fresh('SKU')];
    await app.addBatch(ref, sku, 10, '2030-05-01');
    const res = await app.call('PATCH', `/batches/${ref}`, { qty: 25 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ref, sku, qty: 25, eta: '2030-05-01', deallocated: [] });
    expect(await app.version(sku)).toBe(2);
  });

  it('deallocates the most recent allocations first until the rest fits, keeping the lines', async () => {
    const [ref, sku] = [fresh('b'), fresh('SKU')];
    await app.addBatch(ref, sku, 10);
    // Allocation order, not order id order, decides who loses the stock.
    for (const orderid of ['o-z', 'o-a', 'o-m']) await app.allocate(`${ref}${orderid}`, sku, 3);
    const res = await app.call('PATCH', `/batches/${ref}`, { qty: 5 });
    expect(res.body.deallocated).toEqual([
      { orderid: `${ref}o-m`, sku, qty: 3 },
      { orderid: `${ref}o-a`, sku, qty: 3 },
    ]);
    const kept = await app.call('GET', `/allocations/${ref}o-z`);
    const lost = await app.call('GET', `/allocations/${ref}o-m`);
    expect(kept.body).toEqual([{ orderid: `${ref}o-z`, sku, qty: 3, batchref: ref }]);
    expect(lost.body).toEqual([{ orderid: `${ref}o-m`, sku, qty: 3, batchref: null }]);
    expect(await app.version(sku)).toBe(1 + 3 + 1);
  });

  it('deallocates everything when the quantity drops to zero', async () => {
    const [ref, sku] = [fresh('b'), fresh('SKU')];
    await app.addBatch(ref, sku, 4);
    await app.allocate(fresh('o'), sku, 1);
    await app.allocate(fresh('o'), sku, 3);
    const res = await app.call('PATCH', `/batches/${ref}`, { qty: 0 });
    expect(res.body.qty).toBe(0);
    expect(res.body.deallocated.map((l: { qty: number }) => l.qty)).toEqual([3, 1]);
  });

  it('leaves allocations alone when the new quantity still covers them', async () => {
    const [ref, sku] = [fresh('b'), fresh('SKU')];
    await app.addBatch(ref, sku, 10);
    await app.allocate(fresh('o'), sku, 6);
    const res = await app.call('PATCH', `/batches/${ref}`, { qty: 6 });
    expect(res.body).toMatchObject({ qty: 6, deallocated: [] });
  });

  it('writes nothing when the quantity does not change', async () => {
    const [ref, sku] = [fresh('b'), fresh('SKU')];
    await app.addBatch(ref, sku, 10);
    const res = await app.call('PATCH', `/batches/${ref}`, { qty: 10 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ qty: 10, deallocated: [] });
    expect(await app.version(sku)).toBe(1);
  });

  it('answers 404 for an unknown batch', async () => {
    const res = await app.call('PATCH', '/batches/no-such-batch', { qty: 1 });
    expect(res.status).toBe(404);
    expect(res.body.message).toBe('Unknown batch no-such-batch');
  });

  it('finds references that need percent-encoding in the path', async () => {
    const ref = `${fresh('b')}/with space`;
    await app.addBatch(ref, fresh('SKU'), 1);
    const res = await app.call('PATCH', `/batches/${encodeURIComponent(ref)}`, { qty: 2 });
    expect(res.body).toMatchObject({ ref, qty: 2 });
  });

  it.each([
    [{}, 'qty is required'],
    [{ qty: -3 }, 'qty must be an integer between 0 and 2147483647'],
    [{ qty: null }, 'qty is required'],
  ])('answers 400 naming the field for %j', async (body, message) => {
    const ref = fresh('b');
    await app.addBatch(ref, fresh('SKU'), 1);
    const res = await app.call('PATCH', `/batches/${ref}`, body);
    expect(res.status).toBe(400);
    expect(res.body.message).toBe(message);
  });

  it('answers 400 for a reference that cannot be stored (NUL byte) or decoded', async () => {
    const nul = await app.call('PATCH', '/batches/a%00b', { qty: 1 });
    expect(nul.status).toBe(400);
    expect(nul.body.message).toMatch(/^ref must not contain control characters/);
    const broken = await app.call('PATCH', '/batches/%E0%A4%A', { qty: 1 });
    expect(broken.status).toBe(400);
    expect(broken.body.message).toMatch(/^path: Failed to decode param/);
  });
});
