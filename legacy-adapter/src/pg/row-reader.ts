import type pg from 'pg';
import { LegacyAdapterError } from '../errors.js';
import type { RowReader } from '../mapping/row-cache.js';
import type { Row } from './pgoutput.js';
import { RAW_TEXT } from './raw-text.js';
import { quoteIdent } from './setup.js';

/**
 * `ctx.lookup`'s database read. A lost connection is retriable (the adapter exits 1 and a restart
 * maps the change again); a query Postgres refuses (unknown table or column, a key value of the
 * wrong type) is the mapper's mistake, a mapping error of the change.
 */
export function databaseRowReader(db: pg.Pool): RowReader {
  return async (table, key) => {
    const columns = Object.keys(key);
    const where = columns.map((c, i) => `${quoteIdent(c)} = $${i + 1}`).join(' AND ');
    try {
      const { rows } = await db.query<Row>({
        text: `SELECT * FROM ${table} WHERE ${where}`,
        values: columns.map((c) => key[c]),
        types: RAW_TEXT,
      });
      return rows[0] ?? null;
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      const refused = typeof code === 'string' && /^(22|42)/.test(code);
      throw new LegacyAdapterError(
        'LOOKUP_FAILED',
        `ctx.lookup(${JSON.stringify(table)}, ${JSON.stringify(key)}) failed: ${(e as Error).message}`,
        { cause: e, retriable: !refused },
      );
    }
  };
}
