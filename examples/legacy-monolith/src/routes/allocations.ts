import { Router } from 'express';
import type { Pool } from 'pg';
import {
  ALLOCATION_ORDER_SQL,
  AVAILABLE_SQL,
  bumpVersion,
  inTransaction,
  lockProduct,
} from '../db.js';
import { badRequest, notFound } from '../errors.js';
import type { AllocationRow } from '../types.js';
import { identifier, integer, jsonObject } from '../validate.js';

/** `POST /allocate`, `POST /deallocate` and `GET /allocations/:orderid`. */
export function allocationRoutes(pool: Pool): Router {
  const router = Router();

  router.post('/allocate', async (req, res) => {
    const body = jsonObject(req.body);
    const orderid = identifier(body.orderid, 'orderid');
    const sku = identifier(body.sku, 'sku');
    const qty = integer(body.qty, 'qty', 1);

    const batchref = await inTransaction(pool, async (client) => {
      await lockProduct(client, sku);
      const { rows: lines } = await client.query<{ id: number; batchref: string | null }>(
        `SELECT ol.id, b.reference AS batchref FROM order_lines ol
         LEFT JOIN allocations a ON a.orderline_id = ol.id
         LEFT JOIN batches b ON b.id = a.batch_id
         WHERE ol.orderid = $1 AND ol.sku = $2`,
        [orderid, sku],
      );
      const line = lines[0];
      // Allocating the same line twice answers the first allocation (the quantity is not changed).
      if (line?.batchref) return line.batchref;

      const { rows: batches } = await client.query<{ id: number; reference: string }>(
        `SELECT b.id, b.reference FROM batches b
         WHERE b.sku = $1 AND ${AVAILABLE_SQL} >= $2
         ORDER BY ${ALLOCATION_ORDER_SQL} LIMIT 1`,
        [sku, qty],
      );
      const batch = batches[0];
      if (!batch) throw badRequest(`Out of stock for sku ${sku}`);

      let lineId: number;
      if (line) {
        // A line left unallocated by a deallocation is allocated again with the quantity asked now.
        await client.query('UPDATE order_lines SET qty = $1 WHERE id = $2 AND qty <> $1', [
          qty,
          line.id,
        ]);
        lineId = line.id;
      } else {
        const inserted = await client.query<{ id: number }>(
          'INSERT INTO order_lines (orderid, sku, qty) VALUES ($1, $2, $3) RETURNING id',
          [orderid, sku, qty],
        );
        lineId = inserted.rows[0]!.id;
      }
      await client.query('INSERT INTO allocations (orderline_id, batch_id) VALUES ($1, $2)', [
        lineId,
        batch.id,
      ]);
      await bumpVersion(client, sku);
      return batch.reference;
    });

    res.status(201).json({ batchref });
  });

  router.post('/deallocate', async (req, res) => {
    const body = jsonObject(req.body);
    const orderid = identifier(body.orderid, 'orderid');
    const sku = identifier(body.sku, 'sku');

    const batchref = await inTransaction(pool, async (client) => {
      await lockProduct(client, sku);
      const { rows } = await client.query<{ id: number; batchref: string }>(
        `SELECT a.id, b.reference AS batchref FROM order_lines ol
         JOIN allocations a ON a.orderline_id = ol.id
         JOIN batches b ON b.id = a.batch_id
         WHERE ol.orderid = $1 AND ol.sku = $2`,
        [orderid, sku],
      );
      const allocation = rows[0];
      if (!allocation) throw badRequest(`No allocated line for order ${orderid} and sku ${sku}`);
      await client.query('DELETE FROM allocations WHERE id = $1', [allocation.id]);
      await bumpVersion(client, sku);
      return allocation.batchref;
    });

    res.status(200).json({ orderid, sku, batchref });
  });

  router.get('/allocations/:orderid', async (req, res) => {
    const orderid = identifier(req.params.orderid, 'orderid');
    const { rows } = await pool.query<AllocationRow>(
      `SELECT ol.orderid, ol.sku, ol.qty, b.reference AS batchref FROM order_lines ol
       LEFT JOIN allocations a ON a.orderline_id = ol.id
       LEFT JOIN batches b ON b.id = a.batch_id
       WHERE ol.orderid = $1 ORDER BY ol.sku COLLATE "C"`,
      [orderid],
    );
    if (rows.length === 0) throw notFound(`Unknown order ${orderid}`);
    res.status(200).json(rows);
  });

  return router;
}
