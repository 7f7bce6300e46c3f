import type pg from 'pg';
import { LegacyAdapterError } from '../errors.js';
import type { Logger } from '../types.js';

export interface SetupOptions {
  publication: string;
  /** Schema-qualified tables to capture. */
  tables: string[];
  /** Tables whose deletes and updates must carry the whole old row. */
  fullIdentityTables: string[];
  /** Run the ALTER TABLE ... REPLICA IDENTITY FULL statements instead of only naming them. */
  alterReplicaIdentity: boolean;
  logger: Logger;
}

/**
 * Checks the legacy database can be captured and makes the publication match the table list.
 * Every refusal says what to run to fix it: the adapter never changes the legacy schema unasked.
 */
/** Returns the primary-key columns of each table (REPLICA IDENTITY FULL marks every column as key). */
export async function prepareSource(
  db: pg.ClientBase,
  o: SetupOptions,
): Promise<Map<string, string[]>> {
  const { rows: wal } = await db.query<{ wal_level: string }>('SHOW wal_level');
  if (wal[0]?.wal_level !== 'logical') {
    throw new LegacyAdapterError(
      'SOURCE_NOT_READY',
      `the legacy database runs with wal_level=${wal[0]?.wal_level}; change data capture needs wal_level=logical ` +
        `(ALTER SYSTEM SET wal_level = logical; then restart Postgres)`,
    );
  }
  const { rows: tables } = await db.query<{ name: string; pk: string[] | null; identity: string }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS name,
            (SELECT array_agg(a.attname::text ORDER BY array_position(i.indkey, a.attnum))
               FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
              WHERE i.indrelid = c.oid AND i.indisprimary) AS pk,
            c.relreplident AS identity
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND format('%I.%I', n.nspname, c.relname) = ANY($1)`,
    [o.tables],
  );
  const found = new Map(tables.map((t) => [t.name, t]));
  const missing = o.tables.filter((t) => !found.has(t));
  if (missing.length > 0) {
    throw new LegacyAdapterError(
      'SOURCE_NOT_READY',
      `tables not found in the legacy database: ${missing.join(', ')}`,
    );
  }
  for (const t of tables) {
    // In a publication, a table without a key makes the legacy app's own UPDATE and DELETE fail.
    if (!t.pk) {
      throw new LegacyAdapterError(
        'SOURCE_NOT_READY',
        `table ${t.name} has no primary key: the adapter needs one to identify rows, and publishing a table without ` +
          `a replica identity makes the legacy application's UPDATE and DELETE statements fail. Add a primary key.`,
      );
    }
  }
  for (const name of o.fullIdentityTables) {
    if (found.get(name)?.identity === 'f') continue;
    const sql = `ALTER TABLE ${name} REPLICA IDENTITY FULL`;
    if (!o.alterReplicaIdentity) {
      throw new LegacyAdapterError(
        'SOURCE_NOT_READY',
        `table ${name} needs REPLICA IDENTITY FULL so its deletes carry the old row; run: ${sql}; (or start the adapter with --alter-replica-identity)`,
      );
    }
    await db.query(sql);
    o.logger.info({ table: name }, 'set REPLICA IDENTITY FULL');
  }
  await ensurePublication(db, o);
  return new Map(tables.map((t) => [t.name, t.pk!]));
}

async function ensurePublication(db: pg.ClientBase, o: SetupOptions): Promise<void> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_publication_tables WHERE pubname = $1`,
    [o.publication],
  );
  const { rows: exists } = await db.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [
    o.publication,
  ]);
  const list = o.tables.join(', ');
  if (exists.length === 0) {
    await db.query(`CREATE PUBLICATION ${quoteIdent(o.publication)} FOR TABLE ${list}`);
    o.logger.info({ publication: o.publication, tables: o.tables }, 'created publication');
    return;
  }
  const current = new Set(rows.map((r) => r.name));
  if (current.size === o.tables.length && o.tables.every((t) => current.has(t))) return;
  await db.query(`ALTER PUBLICATION ${quoteIdent(o.publication)} SET TABLE ${list}`);
  o.logger.warn(
    { publication: o.publication, before: [...current], after: o.tables },
    'changed the publication table list; rows already in newly added tables are not captured until they change',
  );
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
