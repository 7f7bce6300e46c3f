import type { DeleteChange, InsertChange, TruncateChange, UpdateChange } from '../mapping/types.js';
import { pgRow, type TestRow } from './pg-text.js';

/**
 * Builders of the changes the adapter hands a mapper, with rows of test values (numbers,
 * booleans, null, dates, arrays) turned into the text Postgres sends.
 */
export const change = {
  /** A row inserted after the snapshot, as streamed. */
  insert(table: string, row: TestRow): InsertChange {
    return { kind: 'insert', table, row: pgRow(row), snapshot: false };
  },

  /** A row of the initial snapshot (an insert with `snapshot: true`; no transaction). */
  snapshot(table: string, row: TestRow): InsertChange {
    return { kind: 'insert', table, row: pgRow(row), snapshot: true };
  },

  /**
   * An update. `old` is the row before: whole with REPLICA IDENTITY FULL, only the key columns
   * (`{ oldIsKeyOnly: true }`) or null under DEFAULT identity.
   */
  update(
    table: string,
    old: TestRow | null,
    row: TestRow,
    options: { oldIsKeyOnly?: boolean } = {},
  ): UpdateChange {
    return {
      kind: 'update',
      table,
      row: pgRow(row),
      old: old === null ? null : pgRow(old),
      oldIsKeyOnly: options.oldIsKeyOnly ?? false,
    };
  },

  /** A delete. `old` is the whole row (REPLICA IDENTITY FULL) or only its key (`{ oldIsKeyOnly: true }`). */
  delete(table: string, old: TestRow, options: { oldIsKeyOnly?: boolean } = {}): DeleteChange {
    return { kind: 'delete', table, old: pgRow(old), oldIsKeyOnly: options.oldIsKeyOnly ?? false };
  },

  /** A TRUNCATE of one or more tables. */
  truncate(
    tables: string | string[],
    options: { cascade?: boolean; restartIdentity?: boolean } = {},
  ): TruncateChange {
    return {
      kind: 'truncate',
      tables: typeof tables === 'string' ? [tables] : [...tables],
      cascade: options.cascade ?? false,
      restartIdentity: options.restartIdentity ?? false,
    };
  },
};
