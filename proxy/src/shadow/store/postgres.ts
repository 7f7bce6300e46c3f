import { hostname } from 'node:os';
import pg from 'pg';
import { ProxyError } from '../../errors.js';
import type { MismatchStore, StoredMismatch } from './record.js';

const TABLE = /^[a-z_][a-z0-9_]{0,62}$/;
/** Appends between two prunings of the oldest rows. */
const PRUNE_EVERY = 200;

/** Where a URL points, without its credentials: safe for logs and errors. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return '(unparsable URL)';
  }
}

function checkTable(table: string): string {
  if (!TABLE.test(table)) {
    throw new ProxyError(
      'config_invalid',
      `shadow.store.table must be a lower-case SQL name (letters, digits, _); got ${JSON.stringify(table)}`,
    );
  }
  return table;
}

const createTable = (table: string) => `
  CREATE TABLE IF NOT EXISTS ${table} (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL,
    route text NOT NULL,
    proxy text NOT NULL,
    record jsonb NOT NULL
  );
  CREATE INDEX IF NOT EXISTS ${table}_route_id ON ${table} (route, id)`;

/**
 * Appends mismatches to a Postgres table that several proxies share (each row names the proxy
 * that recorded it), keeping the newest `keep` rows per route. The table is created on first use.
 * Appends are serialised per proxy; a failed one rejects that append only.
 */
export class PostgresStore implements MismatchStore {
  private readonly pool: pg.Pool;
  private ready: Promise<void> | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private appended = 0;
  private readonly table: string;
  readonly description: string;

  constructor(
    url: string,
    options: { table?: string; keep?: number; proxy?: string } = {},
    private readonly keep = options.keep ?? 10_000,
    private readonly proxy = options.proxy ?? `${hostname()}:${process.pid}`,
  ) {
    this.table = checkTable(options.table ?? 'strangler_shadow_mismatches');
    this.description = `postgres:${describeUrl(url)}/${this.table}`;
    this.pool = new pg.Pool({ connectionString: url, max: 2 });
    // An idle connection that drops is replaced on the next query; it must not crash the proxy.
    this.pool.on('error', () => undefined);
  }

  private prepare(): Promise<void> {
    this.ready ??= this.create().catch((err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  /**
   * Creates the table under an advisory lock: proxies starting together would otherwise race in
   * CREATE TABLE IF NOT EXISTS, and all but one fail on the catalog's unique index.
   */
  private async create(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [this.table]);
      await client.query(createTable(this.table));
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  append(record: StoredMismatch): Promise<void> {
    const run = this.chain.then(() => this.insert(record));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async insert(record: StoredMismatch): Promise<void> {
    await this.prepare();
    await this.pool.query(
      `INSERT INTO ${this.table} (at, route, proxy, record) VALUES ($1, $2, $3, $4)`,
      [record.at, record.route, this.proxy, JSON.stringify(record)],
    );
    if (++this.appended % PRUNE_EVERY === 0) await this.prune(record.route);
  }

  /** Deletes a route's rows older than its newest `keep`. */
  async prune(route: string): Promise<void> {
    await this.pool.query(
      `DELETE FROM ${this.table} WHERE route = $1 AND id <= (
         SELECT id FROM ${this.table} WHERE route = $1 ORDER BY id DESC OFFSET $2 LIMIT 1)`,
      [route, this.keep],
    );
  }

  async close(): Promise<void> {
    await this.chain;
    await this.pool.end();
  }
}

/** Reads every stored mismatch of a Postgres store, oldest first (rows not of this shape skipped). */
export async function readPostgresStore(
  url: string,
  table = 'strangler_shadow_mismatches',
): Promise<{ records: StoredMismatch[]; skipped: number }> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query<{ record: StoredMismatch }>(
      `SELECT record FROM ${checkTable(table)} ORDER BY id`,
    );
    const records = rows
      .map((r) => r.record)
      .filter((r) => r && typeof r.route === 'string' && r.request && r.replay);
    return { records, skipped: rows.length - records.length };
  } catch (err) {
    if (err instanceof ProxyError) throw err;
    throw new ProxyError(
      'store_unreadable',
      `cannot read the mismatch store postgres:${describeUrl(url)}/${table}: ${(err as Error).message}`,
      { cause: err },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}
