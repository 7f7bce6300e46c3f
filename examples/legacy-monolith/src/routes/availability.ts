import { Router } from 'express';
import type { Pool } from 'pg';
import { ALLOCATION_ORDER_SQL, AVAILABLE_SQL, ETA_SQL } from '../db.js';
import { notFound } from '../errors.js';
import type { AvailabilityBody } from '../types.js';
import { identifier, queryQuantity, todayUtc } from '../validate.js';

interface Row {
  ref: string | null;
  eta: string | null;
  /** bigint arrives as a string from pg. */
  available: string | null;
}

/** `GET /products/:sku/availability?qty=N`: MADE.com's "how long will N units take?". */
export function availabilityRoutes(pool: Pool): Router {
  const router = Router();

  router.get('/products/:sku/availability', async (req, res) => {
    const sku = identifier(req.params.sku, 'sku');
    const requestedQty = queryQuantity(req.query.qty, 'qty', 1);

    // One statement, so every figure comes from the same snapshot of the database.
    const { rows } = await pool.query<Row>(
      `SELECT b.reference AS ref, ${ETA_SQL} AS eta, (${AVAILABLE_SQL})::bigint AS available
       FROM products p LEFT JOIN batches b ON b.sku = p.sku
       WHERE p.sku = $1
       ORDER BY ${ALLOCATION_ORDER_SQL}`,
      [sku],
    );
    if (rows.length === 0) throw notFound(`Invalid sku ${sku}`);

    const batches = rows
      .filter((row): row is Row & { ref: string } => row.ref !== null)
      .map((row) => ({ ref: row.ref, eta: row.eta, available: Number(row.available) }));
    // The batch the allocation rule would pick: the first, in allocation order, that fits whole.
    const pick = batches.find((batch) => batch.available >= requestedQty);
    const body: AvailabilityBody = {
      sku,
      requestedQty,
      availableNow: sum(batches.filter((batch) => batch.eta === null)),
      totalAvailable: sum(batches),
      batches,
      canFulfil: pick !== undefined,
      earliestDate: pick === undefined ? null : (pick.eta ?? todayUtc()),
    };
    res.status(200).json(body);
  });

  return router;
}

function sum(batches: { available: number }[]): number {
  return batches.reduce((total, batch) => total + batch.available, 0);
}
