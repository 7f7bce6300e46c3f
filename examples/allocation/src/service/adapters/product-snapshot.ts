import type { Product } from '../domain/index.js';

// What a product looked like when it was loaded, so the repository writes only what changed.

interface StoredBatch {
  qty: number;
  eta: string | null;
  allocated: number;
}
interface StoredLine {
  qty: number;
  batchref: string | null;
}
/** A product as the database holds it. */
export interface Stored {
  version: number;
  batches: Map<string, StoredBatch>;
  lines: Map<string, StoredLine>;
}

/** The product as the database would hold it now. */
export function snapshot(product: Product): Stored {
  const batches = new Map<string, StoredBatch>();
  const lines = new Map<string, StoredLine>();
  for (const batch of product.batches) {
    batches.set(batch.reference, {
      qty: batch.purchasedQuantity,
      eta: batch.eta,
      allocated: batch.allocatedQuantity,
    });
    for (const line of batch.allocations) {
      lines.set(line.orderid, { qty: line.qty, batchref: batch.reference });
    }
  }
  for (const line of product.unallocatedLines) {
    lines.set(line.orderid, { qty: line.qty, batchref: null });
  }
  return { version: product.version, batches, lines };
}
