import { onCleanup, testDatabase, uniqueName } from '@strangler/tests/harness';
import pg from 'pg';
import { pino } from 'pino';
import { startServer } from '../server.js';
import type { RunningServer } from '../types.js';

/** A decoded answer; bodies are inspected loosely in tests. */
export interface ApiResponse {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read fields freely
  body: any;
}

export interface TestApp {
  server: RunningServer;
  /** Database URL, for a second pool or a direct client. */
  databaseUrl: string;
  /** A pool of its own on the app's database, for assertions on the tables. */
  sql: pg.Pool;
  call(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<ApiResponse>;
  addBatch(ref: string, sku: string, qty: number, eta?: string | null): Promise<ApiResponse>;
  allocate(orderid: string, sku: string, qty: number): Promise<ApiResponse>;
  /** The product's version_number, or undefined when it does not exist. */
  version(sku: string): Promise<number | undefined>;
}

/**
 * Starts the monolith on a fresh database and port 0; both go away after the file. Call it in
 * beforeAll.
 */
export async function startTestApp(prefix = 'legacy'): Promise<TestApp> {
  const db = await testDatabase(prefix);
  const server = await startServer({
    databaseUrl: db.url,
    port: 0,
    host: '127.0.0.1',
    logger: pino({ level: 'silent' }),
  });
  const sql = new pg.Pool({ connectionString: db.url, max: 3 });
  // Registered after testDatabase's drop, so it runs before it.
  onCleanup(async () => {
    await server.close();
    await sql.end();
  });

  const call: TestApp['call'] = async (method, path, body, headers = {}) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  };
  return {
    server,
    databaseUrl: db.url,
    sql,
    call,
    addBatch: (ref, sku, qty, eta = null) => call('POST', '/batches', { ref, sku, qty, eta }),
    allocate: (orderid, sku, qty) => call('POST', '/allocate', { orderid, sku, qty }),
    async version(sku) {
      const { rows } = await sql.query<{ v: number }>(
        'SELECT version_number AS v FROM products WHERE sku = $1',
        [sku],
      );
      return rows[0]?.v;
    },
  };
}

/** A fresh sku/ref/order id, so tests in one file never see each other's rows. */
export const fresh = (prefix: string) => uniqueName(prefix);
