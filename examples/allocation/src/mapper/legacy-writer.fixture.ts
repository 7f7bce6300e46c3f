import type pg from 'pg';

/** The example monolith's tables (examples/legacy-monolith/src/schema.ts), as it creates them. */
export const LEGACY_SCHEMA = `
CREATE TABLE products (sku text PRIMARY KEY, version_number int NOT NULL DEFAULT 0);
CREATE TABLE batches (id serial PRIMARY KEY, reference text UNIQUE NOT NULL, sku text NOT NULL REFERENCES products(sku),
  purchased_quantity int NOT NULL CHECK (purchased_quantity >= 0), eta date);
CREATE TABLE order_lines (id serial PRIMARY KEY, orderid text NOT NULL, sku text NOT NULL, qty int NOT NULL CHECK (qty > 0), UNIQUE (orderid, sku));
CREATE TABLE allocations (id serial PRIMARY KEY, orderline_id int NOT NULL UNIQUE REFERENCES order_lines(id), batch_id int NOT NULL REFERENCES batches(id));
`;

/** Legacy-style writes, each one transaction, as the monolith's handlers run them. */
export class LegacyWriter {
  constructor(private readonly pool: pg.Pool) {}

  async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (e) {
      await c.query('ROLLBACK');
      throw e;
    } finally {
      c.release();
    }
  }

  addBatch(ref: string, sku: string, qty: number, eta: string | null = null) {
    return this.tx(async (c) => {
      await c.query('INSERT INTO products (sku) VALUES ($1) ON CONFLICT DO NOTHING', [sku]);
      await c.query(
        'INSERT INTO batches (reference, sku, purchased_quantity, eta) VALUES ($1, $2, $3, $4)',
        [ref, sku, qty, eta],
      );
      await c.query('UPDATE products SET version_number = version_number + 1 WHERE sku = $1', [
        sku,
      ]);
    });
  }

  allocate(orderid: string, sku: string, qty: number, ref: string) {
    return this.tx(async (c) => {
      const line = await c.query<{ id: number }>(
        'INSERT INTO order_lines (orderid, sku, qty) VALUES ($1, $2, $3) RETURNING id',
        [orderid, sku, qty],
      );
      await c.query(
        'INSERT INTO allocations (orderline_id, batch_id) SELECT $1, id FROM batches WHERE reference = $2',
        [line.rows[0]!.id, ref],
      );
      await c.query('UPDATE products SET version_number = version_number + 1 WHERE sku = $1', [
        sku,
      ]);
    });
  }

  deallocate(orderid: string, sku: string) {
    return this.tx(async (c) => {
      await c.query(
        'DELETE FROM allocations WHERE orderline_id = (SELECT id FROM order_lines WHERE orderid = $1 AND sku = $2)',
        [orderid, sku],
      );
      await c.query('UPDATE products SET version_number = version_number + 1 WHERE sku = $1', [
        sku,
      ]);
    });
  }

  changeQuantity(ref: string, qty: number) {
    return this.tx(async (c) => {
      const { rows } = await c.query<{ sku: string }>(
        'UPDATE batches SET purchased_quantity = $1 WHERE reference = $2 RETURNING sku',
        [qty, ref],
      );
      await c.query('UPDATE products SET version_number = version_number + 1 WHERE sku = $1', [
        rows[0]!.sku,
      ]);
    });
  }
}
