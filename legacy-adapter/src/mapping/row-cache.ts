import type pg from 'pg';
import type { RowChange } from '../capture/transaction.js';
import type { Row } from '../pg/pgoutput.js';
import { RAW_TEXT } from '../pg/raw-text.js';
import { quoteIdent } from '../pg/setup.js';
import type { MappingContext } from './mapper.js';

/**
 * The last known version of recently seen rows, so the mapping can resolve ids into natural keys
 * without querying the legacy database for every change. Deleted rows keep their last values
 * (a deallocation still needs the order line it took off). Bounded: the oldest entries go first,
 * and a miss reads the row from the legacy database.
 */
export class RowCache implements MappingContext {
  /** `seen`: the row came from the stream or the snapshot (as of the stream), not from a database read. */
  private readonly rows = new Map<string, { row: Row; seen: boolean }>();

  constructor(
    private readonly db: pg.Pool,
    private readonly capacity = 200_000,
  ) {}

  /** Records a change after it was mapped, so later changes see it. */
  remember(change: RowChange, keyColumns: string[]): void {
    const row = change.kind === 'delete' ? change.old : change.row;
    if (!row) return;
    const known =
      change.kind === 'delete' && change.oldIsKeyOnly
        ? this.rows.get(cacheKey(change.table, keyColumns, row))?.row
        : undefined;
    this.put(change.table, keyColumns, known ?? row, true);
  }

  /** Records a snapshot row. */
  rememberRow(table: string, keyColumns: string[], row: Row): void {
    this.put(table, keyColumns, row, true);
  }

  seen(table: string, key: Record<string, string>): Row | null {
    const entry = this.rows.get(cacheKey(table, Object.keys(key), key));
    return entry?.seen ? entry.row : null;
  }

  async lookup(table: string, key: Record<string, string>): Promise<Row | null> {
    const columns = Object.keys(key);
    const hit = this.rows.get(cacheKey(table, columns, key));
    if (hit) return hit.row;
    const where = columns.map((c, i) => `${quoteIdent(c)} = $${i + 1}`).join(' AND ');
    const { rows } = await this.db.query<Row>({
      text: `SELECT * FROM ${table} WHERE ${where}`,
      values: columns.map((c) => key[c]),
      types: RAW_TEXT,
    });
    const row = rows[0];
    if (!row) return null;
    this.put(table, columns, row, false);
    return row;
  }

  private put(table: string, keyColumns: string[], row: Row, seen: boolean): void {
    const k = cacheKey(table, keyColumns, row);
    this.rows.delete(k); // re-insert: Map order is our recency order
    this.rows.set(k, { row, seen });
    if (this.rows.size > this.capacity) this.rows.delete(this.rows.keys().next().value!);
  }
}

function cacheKey(table: string, keyColumns: string[], row: Record<string, unknown>): string {
  return `${table}\u0000${keyColumns.map((c) => String(row[c])).join('\u0000')}`;
}
