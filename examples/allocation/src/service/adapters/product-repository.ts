import { versionConflict, type Transaction } from '@strangler/new-service';
import { Batch, Product, type DomainEvent, type OrderLine } from '../domain/index.js';
import type { ProductRepository } from '../service-layer/unit-of-work.js';
import { CHANGED_CHANNEL } from './changes.js';
import { snapshot, type Stored } from './product-snapshot.js';

interface LoadRow {
  version: string;
  batches: { ref: string; qty: number; eta: string | null }[] | null;
  lines: { orderid: string; qty: number; batchref: string | null }[] | null;
}

// One round trip: the product row, its batches and its lines in allocation order. Nothing is
// locked: the save checks the version instead (optimistic concurrency, as the book's Product).
const LOAD_SQL = `
  SELECT p.version,
    (SELECT json_agg(json_build_object('ref', b.reference, 'qty', b.purchased_quantity,
                                       'eta', to_char(b.eta, 'YYYY-MM-DD')))
       FROM batch b WHERE b.sku = p.sku) AS batches,
    (SELECT json_agg(json_build_object('orderid', l.orderid, 'qty', l.qty,
                                       'batchref', l.batch_reference) ORDER BY l.allocated_seq)
       FROM order_line l WHERE l.sku = p.sku) AS lines
  FROM product p WHERE p.sku = $1`;

/**
 * Products in Postgres. Changes are written by `flush` (at commit), comparing each aggregate with
 * what was loaded. A product whose version moved is saved only if the row is still at the version
 * loaded (the row lock that UPDATE takes makes a second writer wait for the first, then find the
 * version gone); otherwise `versionConflict`, and the command runner (or the consumer) runs again
 * on the state the other writer left.
 */
export class PgProductRepository implements ProductRepository {
  readonly #tx: Transaction;
  readonly #seen = new Map<string, { product: Product; stored: Stored | undefined }>();
  /** Skus written since the last flush. */
  readonly #changed = new Set<string>();

  constructor(tx: Transaction) {
    this.#tx = tx;
  }

  async get(sku: string): Promise<Product | undefined> {
    const seen = this.#seen.get(sku);
    if (seen) return seen.product;
    const { rows } = await this.#tx.query<LoadRow>({
      name: 'allocation:load-product',
      text: LOAD_SQL,
      values: [sku],
    });
    const row = rows[0];
    if (!row) return undefined;
    const allocations = new Map<string, OrderLine[]>();
    const unallocated: OrderLine[] = [];
    for (const line of row.lines ?? []) {
      const value: OrderLine = { orderid: line.orderid, sku, qty: Number(line.qty) };
      if (line.batchref === null) unallocated.push(value);
      else {
        const list = allocations.get(line.batchref);
        if (list) list.push(value);
        else allocations.set(line.batchref, [value]);
      }
    }
    const batches = (row.batches ?? []).map(
      (b) => new Batch(b.ref, sku, Number(b.qty), b.eta, allocations.get(b.ref) ?? []),
    );
    const product = new Product(sku, Number(row.version), batches, unallocated);
    this.#seen.set(sku, { product, stored: snapshot(product) });
    return product;
  }

  add(product: Product): void {
    this.#seen.set(product.sku, { product, stored: undefined });
  }

  async skuOfBatch(ref: string): Promise<string | undefined> {
    const { rows } = await this.#tx.query<{ sku: string }>({
      name: 'allocation:sku-of-batch',
      text: 'SELECT sku FROM batch WHERE reference = $1',
      values: [ref],
    });
    return rows[0]?.sku;
  }

  collectNewEvents(): DomainEvent[] {
    const events: DomainEvent[] = [];
    for (const { product } of this.#seen.values()) events.push(...product.events.splice(0));
    return events;
  }

  /**
   * Writes every change since load: product, then batches, then lines (foreign key order), and
   * notifies readers of each changed sku; Postgres delivers the notification only if this commits.
   */
  async flush(): Promise<void> {
    for (const entry of this.#seen.values()) {
      const { product, stored } = entry;
      await this.#writeProduct(product, stored);
      await this.#writeBatches(product, stored);
      await this.#writeLines(product, stored);
      entry.stored = snapshot(product);
    }
    if (this.#changed.size === 0) return;
    await this.#tx.query({
      name: 'allocation:notify-changed',
      text: `SELECT pg_notify('${CHANGED_CHANNEL}', sku) FROM unnest($1::text[]) AS sku`,
      values: [[...this.#changed]],
    });
    this.#changed.clear();
  }

  async #writeProduct(product: Product, stored: Stored | undefined): Promise<void> {
    if (!stored) {
      const inserted = await this.#run(
        'insert-product',
        'INSERT INTO product (sku, version) VALUES ($1, $2) ON CONFLICT (sku) DO NOTHING',
        [product.sku, product.version],
        product.sku,
      );
      if (inserted === 0) {
        throw versionConflict(`product ${product.sku} was created by another writer`, {
          sku: product.sku,
        });
      }
    } else if (stored.version !== product.version) {
      const updated = await this.#run(
        'update-product',
        'UPDATE product SET version = $2 WHERE sku = $1 AND version = $3',
        [product.sku, product.version, stored.version],
        product.sku,
      );
      if (updated === 0) {
        throw versionConflict(
          `product ${product.sku} is no longer at version ${stored.version}: another writer saved it`,
          { sku: product.sku, loaded: stored.version },
        );
      }
    }
  }

  async #writeBatches(product: Product, stored: Stored | undefined): Promise<void> {
    for (const batch of product.batches) {
      const before = stored?.batches.get(batch.reference);
      const values = [
        batch.reference,
        batch.purchasedQuantity,
        batch.eta,
        batch.allocatedQuantity,
        product.sku,
      ];
      if (!before) {
        await this.#run(
          'insert-batch',
          `INSERT INTO batch (reference, purchased_quantity, eta, allocated_quantity, sku)
           VALUES ($1, $2, $3, $4, $5)`,
          values,
          product.sku,
        );
      } else if (
        before.qty !== batch.purchasedQuantity ||
        before.eta !== batch.eta ||
        before.allocated !== batch.allocatedQuantity
      ) {
        await this.#run(
          'update-batch',
          `UPDATE batch SET purchased_quantity = $2, eta = $3, allocated_quantity = $4
           WHERE reference = $1 AND sku = $5`,
          values,
          product.sku,
        );
      }
    }
  }

  async #writeLines(product: Product, stored: Stored | undefined): Promise<void> {
    // Batches' allocations are in allocation order, so new allocations draw increasing sequence
    // numbers in that order and load back in it.
    const current: [OrderLine, string | null][] = [
      ...product.batches.flatMap((b) =>
        b.allocations.map((l): [OrderLine, string] => [l, b.reference]),
      ),
      ...product.unallocatedLines.map((l): [OrderLine, null] => [l, null]),
    ];
    for (const [line, batchref] of current) {
      const before = stored?.lines.get(line.orderid);
      if (before && before.qty === line.qty && before.batchref === batchref) continue;
      const newlyAllocated = batchref !== null && before?.batchref !== batchref;
      await this.#run(
        before ? 'update-line' : 'insert-line',
        before
          ? `UPDATE order_line SET qty = $3, batch_reference = $4,
               allocated_seq = CASE WHEN $5::boolean THEN nextval('allocation_seq')
                                    WHEN $4::text IS NULL THEN NULL ELSE allocated_seq END
             WHERE sku = $1 AND orderid = $2`
          : `INSERT INTO order_line (sku, orderid, qty, batch_reference, allocated_seq)
             VALUES ($1, $2, $3, $4, CASE WHEN $5::boolean THEN nextval('allocation_seq') END)`,
        [product.sku, line.orderid, line.qty, batchref, newlyAllocated],
        product.sku,
      );
    }
  }

  /** Runs a write; answers the rows it changed. */
  async #run(name: string, text: string, values: unknown[], sku: string): Promise<number> {
    const { rowCount } = await this.#tx.query({ name: `allocation:${name}`, text, values });
    this.#changed.add(sku);
    return rowCount ?? 0;
  }
}
