import type { Row } from '../pg/pgoutput.js';
import type { MappingContext, RowChange, TransactionInfo } from './types.js';

/** Reads the current row of a table by key from the legacy database (a cache miss). */
export type RowReader = (table: string, key: Record<string, string>) => Promise<Row | null>;

/**
 * The last known version of recently seen rows, so the mapping can resolve ids into natural keys
 * without querying the legacy database for every change. Deleted rows keep their last values
 * (a deletion still needs the row it took away). Bounded: the oldest entries go first, and a miss
 * reads the row from the legacy database.
 */
export class RowCache {
  /** `seen`: the row came from the stream or the snapshot (as of the stream), not from a database read. */
  private readonly rows = new Map<string, { row: Row; seen: boolean }>();

  constructor(
    private readonly read: RowReader,
    private readonly capacity = 200_000,
  ) {}

  /** The context a mapper gets for the changes of one transaction (null for snapshot rows). */
  context(transaction: TransactionInfo | null): MappingContext {
    return {
      lookup: (table, key) => this.lookup(table, key),
      seen: (table, key) => this.seen(table, key),
      transaction,
    };
  }

  /** Records a change after it was mapped, so later changes see it. */
  remember(change: RowChange, keyColumns: readonly string[]): void {
    const row = change.kind === 'delete' ? change.old : change.row;
    const known =
      change.kind === 'delete' && change.oldIsKeyOnly
        ? this.rows.get(cacheKey(change.table, keyColumns, row))?.row
        : undefined;
    this.put(change.table, keyColumns, known ?? row, true);
  }

  seen(table: string, key: Record<string, string>): Row | null {
    const entry = this.rows.get(cacheKey(table, Object.keys(key), key));
    return entry?.seen ? entry.row : null;
  }

  async lookup(table: string, key: Record<string, string>): Promise<Row | null> {
    const columns = Object.keys(key);
    const hit = this.rows.get(cacheKey(table, columns, key));
    if (hit) return hit.row;
    const row = await this.read(table, key);
    if (row) this.put(table, columns, row, false);
    return row;
  }

  private put(table: string, keyColumns: readonly string[], row: Row, seen: boolean): void {
    const k = cacheKey(table, keyColumns, row);
    this.rows.delete(k); // re-insert: Map order is our recency order
    this.rows.set(k, { row, seen });
    if (this.rows.size > this.capacity) this.rows.delete(this.rows.keys().next().value!);
  }
}

function cacheKey(
  table: string,
  keyColumns: readonly string[],
  row: Record<string, unknown>,
): string {
  return `${table}\u0000${keyColumns.map((c) => String(row[c])).join('\u0000')}`;
}
