import { Router } from 'express';
import type { Pool } from 'pg';
import { bumpVersion, ETA_SQL, inTransaction, lockProduct, sqlState } from '../db.js';
import { conflict, notFound } from '../errors.js';
import type { BatchBody, OrderLineBody } from '../types.js';
import { identifier, integer, jsonObject, optionalDate } from '../validate.js';

const UNIQUE_VIOLATION = '23505';

/** `POST /batches` and `PATCH /batches/:ref`. */
export function batchRoutes(pool: Pool): Router {
  const router = Router();

  router.post('/batches', async (req, res) => {
    const body = jsonObject(req.body);
    const ref = identifier(body.ref, 'ref');
    const sku = identifier(body.sku, 'sku');
    const qty = integer(body.qty, 'qty', 0);
    const eta = optionalDate(body.eta, 'eta');
    const duplicate = () => conflict(`Batch ${ref} already exists`);

    const batch = await inTransaction(pool, async (client) => {
      await client.query('INSERT INTO products (sku) VALUES ($1) ON CONFLICT (sku) DO NOTHING', [
        sku,
      ]);
      await lockProduct(client, sku);
      const existing = await client.query('SELECT 1 FROM batches WHERE reference = $1', [ref]);
      if (existing.rowCount !== 0) throw duplicate();
      const { rows } = await client.query<BatchBody>(
        `INSERT INTO batches AS b (reference, sku, purchased_quantity, eta) VALUES ($1, $2, $3, $4)
         RETURNING b.reference AS ref, b.sku, b.purchased_quantity AS qty, ${ETA_SQL} AS eta`,
        [ref, sku, qty, eta],
      );
      await bumpVersion(client, sku);
      return rows[0];
    }).catch((err: unknown) => {
      // Another request inserted the same reference (for another sku) after our check.
      throw sqlState(err) === UNIQUE_VIOLATION ? duplicate() : err;
    });

    res.status(201).json(batch);
  });

  router.patch('/batches/:ref', async (req, res) => {
    const ref = identifier(req.params.ref, 'ref');
    const qty = integer(jsonObject(req.body).qty, 'qty', 0);

    const result = await inTransaction(pool, async (client) => {
      // A batch's sku never changes, so reading it before taking the product lock is safe.
      const found = await client.query<{ sku: string }>(
        'SELECT sku FROM batches WHERE reference = $1',
        [ref],
      );
      const sku = found.rows[0]?.sku;
      if (sku === undefined) throw notFound(`Unknown batch ${ref}`);
      await lockProduct(client, sku);

      const { rows } = await client.query<BatchBody & { id: number }>(
        `SELECT b.id, b.reference AS ref, b.sku, b.purchased_quantity AS qty, ${ETA_SQL} AS eta
         FROM batches b WHERE b.reference = $1`,
        [ref],
      );
      const { id, ...batch } = rows[0]!;
      const allocated = await client.query<OrderLineBody & { id: number }>(
        `SELECT a.id, ol.orderid, ol.sku, ol.qty
         FROM allocations a JOIN order_lines ol ON ol.id = a.orderline_id
         WHERE a.batch_id = $1 ORDER BY a.id DESC`,
        [id],
      );

      // Most recently allocated first, until what stays allocated fits the new quantity.
      let total = allocated.rows.reduce((sum, line) => sum + line.qty, 0);
      const removed: (OrderLineBody & { id: number })[] = [];
      for (const line of allocated.rows) {
        if (total <= qty) break;
        removed.push(line);
        total -= line.qty;
      }
      const deallocated = removed.map(({ orderid, sku, qty }) => ({ orderid, sku, qty }));
      if (qty === batch.qty && removed.length === 0) return { ...batch, deallocated };

      await client.query('UPDATE batches SET purchased_quantity = $1 WHERE id = $2', [qty, id]);
      if (removed.length > 0) {
        await client.query('DELETE FROM allocations WHERE id = ANY($1::int[])', [
          removed.map((line) => line.id),
        ]);
      }
      await bumpVersion(client, sku);
      return { ...batch, qty, deallocated };
    });

    res.status(200).json(result);
  });

  return router;
}
