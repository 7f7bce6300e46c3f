import type pg from 'pg';

/** The tables of the specs' legacy shop. */
export const SHOP_SCHEMA = `
CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL, name text NOT NULL,
  registered_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id serial PRIMARY KEY, customer_id int NOT NULL, reference text NOT NULL UNIQUE,
  total numeric(12,2) NOT NULL, status text NOT NULL DEFAULT 'placed', tags text[] NOT NULL DEFAULT '{}');
`;

/** Legacy-style writes, each one transaction. */
export class ShopWriter {
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

  register(id: number, email: string, name = `name-${id}`, at = '2024-05-01 12:00:00.123456+00') {
    return this.tx((c) =>
      c.query('INSERT INTO customers (id, email, name, registered_at) VALUES ($1, $2, $3, $4)', [
        id,
        email,
        name,
        at,
      ]),
    );
  }

  rename(id: number, name: string) {
    return this.tx((c) => c.query('UPDATE customers SET name = $2 WHERE id = $1', [id, name]));
  }

  placeOrder(customerId: number, reference: string, total: string, tags: string[] = []) {
    return this.tx((c) =>
      c.query('INSERT INTO orders (customer_id, reference, total, tags) VALUES ($1, $2, $3, $4)', [
        customerId,
        reference,
        total,
        tags,
      ]),
    );
  }

  setStatus(reference: string, status: string) {
    return this.tx((c) =>
      c.query('UPDATE orders SET status = $2 WHERE reference = $1', [reference, status]),
    );
  }
}
