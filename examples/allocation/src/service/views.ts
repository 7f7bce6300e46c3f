import type { Pool } from 'pg';

/** One batch in an availability answer. */
export interface BatchAvailability {
  ref: string;
  eta: string | null;
  available: number;
}

/** `GET /products/:sku/availability` body, field for field what the legacy monolith answers. */
export interface AvailabilityReport {
  sku: string;
  requestedQty: number;
  availableNow: number;
  totalAvailable: number;
  batches: BatchAvailability[];
  canFulfil: boolean;
  earliestDate: string | null;
}

// Read side (the book's views): plain SQL on the tables the handlers keep, no aggregate loading.
// One statement, so every figure comes from one snapshot; the product row tells a known sku with
// no batches (one row of nulls) from an unknown one (no row).
const AVAILABILITY_SQL = `
  SELECT b.reference, to_char(b.eta, 'YYYY-MM-DD'), b.purchased_quantity - b.allocated_quantity
  FROM product p LEFT JOIN batch b ON b.sku = p.sku
  WHERE p.sku = $1
  ORDER BY b.eta ASC NULLS FIRST, b.reference ASC`;

type AvailabilityRow = [ref: string | null, eta: string | null, available: string | null];

/**
 * The sku's batches in allocation order (warehouse first, then eta, then reference by code point)
 * with their available units, or undefined when the sku is unknown.
 */
export async function readAvailability(
  pool: Pool,
  sku: string,
): Promise<BatchAvailability[] | undefined> {
  const { rows } = await pool.query<AvailabilityRow>({
    name: 'allocation:availability',
    text: AVAILABILITY_SQL,
    values: [sku],
    rowMode: 'array',
  });
  if (rows.length === 0) return undefined;
  const batches: BatchAvailability[] = [];
  for (const [ref, eta, available] of rows) {
    if (ref !== null) batches.push({ ref, eta, available: Number(available) });
  }
  return batches;
}

/**
 * MADE.com's "how long will N units take?", with the legacy monolith's exact semantics: the batch
 * the allocation rule would pick (the first, in allocation order, that takes N whole) decides the
 * date; warehouse stock ships today (`today`, UTC).
 */
export function availabilityReport(
  sku: string,
  requestedQty: number,
  batches: BatchAvailability[],
  today: string,
): AvailabilityReport {
  let availableNow = 0;
  let totalAvailable = 0;
  let pick: BatchAvailability | undefined;
  for (const batch of batches) {
    totalAvailable += batch.available;
    if (batch.eta === null) availableNow += batch.available;
    if (pick === undefined && batch.available >= requestedQty) pick = batch;
  }
  return {
    sku,
    requestedQty,
    availableNow,
    totalAvailable,
    batches,
    canFulfil: pick !== undefined,
    earliestDate: pick === undefined ? null : (pick.eta ?? today),
  };
}
