import type { CapturedChange, MappingContext, TransactionInfo } from '../mapping/types.js';
import type { Row } from '../pg/pgoutput.js';

/**
 * The rows a MapperSpec's context knows, as the adapter's row cache would: rows seen on the
 * stream (`given`, then each change mapped) answer `seen` and `lookup`; rows only in the database
 * (`givenDatabase`) answer `lookup` alone. The latest version of a row wins: a row matches a key
 * when its columns equal the key's values.
 */
export class FakeRows {
  private readonly seenRows = new Map<string, Row[]>();
  private readonly databaseRows = new Map<string, Row[]>();

  constructor(
    seen: ReadonlyArray<{ table: string; row: Row }>,
    database: ReadonlyArray<{ table: string; row: Row }>,
  ) {
    for (const { table, row } of seen) this.add(this.seenRows, table, row);
    for (const { table, row } of database) this.add(this.databaseRows, table, row);
  }

  context(transaction: TransactionInfo | null): MappingContext {
    return {
      lookup: async (table, key) =>
        find(this.seenRows, table, key) ?? find(this.databaseRows, table, key),
      seen: (table, key) => find(this.seenRows, table, key),
      transaction,
    };
  }

  /** After a change is mapped, later changes see it (a deleted row keeps its last values). */
  remember(change: CapturedChange): void {
    if (change.kind === 'truncate') return;
    if (change.kind !== 'delete') {
      this.add(this.seenRows, change.table, change.row);
      return;
    }
    const known = change.oldIsKeyOnly ? find(this.seenRows, change.table, change.old) : null;
    this.add(this.seenRows, change.table, known ? { ...known, ...change.old } : change.old);
  }

  private add(rows: Map<string, Row[]>, table: string, row: Row): void {
    const list = rows.get(table) ?? [];
    list.push(row);
    rows.set(table, list);
  }
}

function find(rows: Map<string, Row[]>, table: string, key: Record<string, unknown>): Row | null {
  const list = rows.get(table) ?? [];
  const columns = Object.keys(key);
  for (let i = list.length - 1; i >= 0; i--) {
    const row = list[i]!;
    if (columns.every((c) => row[c] === String(key[c]))) return row;
  }
  return null;
}
