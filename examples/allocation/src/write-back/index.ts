import { defineWriteBack, type WriteBackTransaction } from '@strangler/legacy-adapter';
import { allocationCatalog } from '../catalog/index.js';

const types = allocationCatalog.types;

/**
 * The allocation service's events written back to the legacy monolith's tables, as its own
 * handlers would have written them: legacy screens and reports stay right while the writes live
 * in the new service. Each statement is idempotent on its own as well (the write-back applies an
 * event once, but a hand-run replay should not double anything), and the product's
 * version_number follows the event's version, never back.
 */
export default defineWriteBack(allocationCatalog, {
  async apply(event, tx) {
    switch (event.type) {
      case types.ProductCreated:
        await ensureProduct(tx, event.data.sku, event.data.version);
        return;
      case types.BatchCreated: {
        const { sku, ref, qty, eta, version } = event.data;
        await ensureProduct(tx, sku, version);
        await tx.query(
          `INSERT INTO batches (reference, sku, purchased_quantity, eta) VALUES ($1, $2, $3, $4)
           ON CONFLICT (reference) DO NOTHING`,
          [ref, sku, qty, eta],
        );
        return;
      }
      case types.BatchQuantityChanged:
        await tx.query('UPDATE batches SET purchased_quantity = $2 WHERE reference = $1', [
          event.data.ref,
          event.data.qty,
        ]);
        await version(tx, event.data.sku, event.data.version);
        return;
      case types.BatchEtaChanged:
        await tx.query('UPDATE batches SET eta = $2 WHERE reference = $1', [
          event.data.ref,
          event.data.eta,
        ]);
        await version(tx, event.data.sku, event.data.version);
        return;
      case types.Allocated: {
        const { orderid, sku, qty, batchref } = event.data;
        // The line is kept after a deallocation (legacy re-allocates it with the new quantity).
        await tx.query(
          `INSERT INTO order_lines (orderid, sku, qty) VALUES ($1, $2, $3)
           ON CONFLICT (orderid, sku) DO UPDATE SET qty = EXCLUDED.qty`,
          [orderid, sku, qty],
        );
        await tx.query(
          `INSERT INTO allocations (orderline_id, batch_id)
           SELECT ol.id, b.id FROM order_lines ol, batches b
            WHERE ol.orderid = $1 AND ol.sku = $2 AND b.reference = $3
           ON CONFLICT (orderline_id) DO UPDATE SET batch_id = EXCLUDED.batch_id`,
          [orderid, sku, batchref],
        );
        await version(tx, sku, event.data.version);
        return;
      }
      case types.Deallocated:
        await tx.query(
          `DELETE FROM allocations a USING order_lines ol
            WHERE a.orderline_id = ol.id AND ol.orderid = $1 AND ol.sku = $2`,
          [event.data.orderid, event.data.sku],
        );
        await version(tx, event.data.sku, event.data.version);
        return;
      default: {
        const unhandled: never = event;
        throw new Error(`no write-back for ${JSON.stringify(unhandled)}`);
      }
    }
  },
});

async function ensureProduct(
  tx: WriteBackTransaction,
  sku: string,
  v: number | undefined,
): Promise<void> {
  await tx.query(
    `INSERT INTO products (sku, version_number) VALUES ($1, $2)
     ON CONFLICT (sku) DO UPDATE SET version_number = GREATEST(products.version_number, $2)`,
    [sku, v ?? 0],
  );
}

/** The event's product version, when it has one (older events may not). */
async function version(
  tx: WriteBackTransaction,
  sku: string,
  v: number | undefined,
): Promise<void> {
  if (v === undefined) return;
  await tx.query(
    'UPDATE products SET version_number = GREATEST(version_number, $2) WHERE sku = $1',
    [sku, v],
  );
}
