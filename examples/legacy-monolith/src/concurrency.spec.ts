import { beforeAll, describe, expect, it } from 'vitest';
import { fresh, startTestApp, type TestApp } from './testing/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp('concurrency');
});

/** Purchased and allocated units of every batch of a sku, straight from the tables. */
async function stock(sku: string) {
  const { rows } = await app.sql.query<{ ref: string; purchased: number; allocated: number }>(
    `SELECT b.reference AS ref, b.purchased_quantity AS purchased,
            COALESCE(sum(ol.qty), 0)::int AS allocated
     FROM batches b LEFT JOIN allocations a ON a.batch_id = b.id
     LEFT JOIN order_lines ol ON ol.id = a.orderline_id
     WHERE b.sku = $1 GROUP BY b.id ORDER BY b.reference`,
    [sku],
  );
  return rows;
}

describe('concurrent writes', () => {
  it('lets exactly as many of 20 racing allocations succeed as the batch can hold', async () => {
    const [sku, ref] = [fresh('SKU'), fresh('b')];
    await app.addBatch(ref, sku, 10);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => app.allocate(`${ref}-o${i}`, sku, 3)),
    );
    const won = answers.filter((r) => r.status === 201);
    const lost = answers.filter((r) => r.status === 400);
    expect(won).toHaveLength(3);
    expect(lost).toHaveLength(17);
    for (const r of won) expect(r.body.batchref).toBe(ref);
    for (const r of lost) expect(r.body.message).toBe(`Out of stock for sku ${sku}`);
    expect(await stock(sku)).toEqual([{ ref, purchased: 10, allocated: 9 }]);
    expect(await app.version(sku)).toBe(1 + 3);
  });

  it('never over-allocates when mixed quantities race over several batches', async () => {
    const [sku, p] = [fresh('SKU'), fresh('b')];
    await app.addBatch(`${p}-wh`, sku, 7);
    await app.addBatch(`${p}-ship`, sku, 11, '2030-01-01');
    const qtys = Array.from({ length: 20 }, (_, i) => 1 + ((i * 7) % 5));
    const answers = await Promise.all(qtys.map((q, i) => app.allocate(`${p}-o${i}`, sku, q)));
    const rows = await stock(sku);
    for (const row of rows) expect(row.allocated).toBeLessThanOrEqual(row.purchased);
    const wonQty = qtys.filter((_, i) => answers[i]!.status === 201).reduce((a, b) => a + b, 0);
    expect(wonQty).toBe(rows.reduce((sum, row) => sum + row.allocated, 0));
    // Stock only shrinks, so every refused line is bigger than what any batch has left at the end.
    const leftMax = Math.max(...rows.map((row) => row.purchased - row.allocated));
    qtys.forEach((q, i) => {
      if (answers[i]!.status !== 201) expect(q).toBeGreaterThan(leftMax);
    });
  });

  it('keeps allocations within the quantity when a batch shrinks while allocations race', async () => {
    const [sku, ref] = [fresh('SKU'), fresh('b')];
    await app.addBatch(ref, sku, 30);
    const work = [
      ...Array.from({ length: 12 }, (_, i) => app.allocate(`${ref}-o${i}`, sku, 2)),
      app.call('PATCH', `/batches/${ref}`, { qty: 9 }),
      app.call('PATCH', `/batches/${ref}`, { qty: 5 }),
    ];
    const answers = await Promise.all(work);
    for (const r of answers) expect([200, 201, 400]).toContain(r.status);
    const [row] = await stock(sku);
    expect(row!.allocated).toBeLessThanOrEqual(row!.purchased);
  });

  it('allocates a line once when the same order line is sent many times at once', async () => {
    const [sku, orderid] = [fresh('SKU'), fresh('o')];
    await app.addBatch(fresh('b'), sku, 100);
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => app.allocate(orderid, sku, 5)),
    );
    expect(new Set(answers.map((r) => `${r.status} ${r.body.batchref}`)).size).toBe(1);
    expect((await stock(sku))[0]!.allocated).toBe(5);
  });

  it('creates one product for batches of a new sku added at once, and one batch per reference', async () => {
    const [sku, ref] = [fresh('SKU'), fresh('b')];
    const distinct = await Promise.all(
      Array.from({ length: 10 }, (_, i) => app.addBatch(`${ref}-${i}`, sku, 1)),
    );
    expect(distinct.map((r) => r.status)).toEqual(Array(10).fill(201));
    expect(await app.version(sku)).toBe(10);
    // The same reference for six new skus: one wins; the losers leave no product behind.
    const skus = Array.from({ length: 6 }, () => fresh('SKU'));
    const same = await Promise.all(skus.map((s) => app.addBatch(`${ref}-dup`, s, 1)));
    expect(same.filter((r) => r.status === 201)).toHaveLength(1);
    expect(same.filter((r) => r.status === 409)).toHaveLength(5);
    const { rows } = await app.sql.query('SELECT sku FROM products WHERE sku = ANY($1)', [skus]);
    expect(rows).toHaveLength(1);
  });
});
