import { LegacyAdapterError } from '../errors.js';
import { UNCHANGED_TOAST, type Row } from '../pg/pgoutput.js';

/**
 * Reads one column of a row (Postgres text form) as a JavaScript value, or throws an error naming
 * the column, the value and the form it expected. SQL NULL is an error: use `.nullable`.
 */
export interface ColumnReader<T> {
  (row: Row, column: string): T;
  /** Reads one value in Postgres text form (an array element, a value from elsewhere); null is SQL NULL. */
  parse(text: string | null, column?: string): T;
  /** The same reader, returning null for SQL NULL. */
  readonly nullable: ColumnReader<T | null>;
}

/**
 * Parses a text value; returns `INVALID` when the text is not of the form the reader reads. The
 * column name is for the errors of nested values (array elements).
 */
export type TextParser<T> = (text: string, column: string) => T | typeof INVALID;
export const INVALID: unique symbol = Symbol('invalid column value');

/** A short, one-line rendering of a value for error messages. */
export function preview(value: string): string {
  const json = JSON.stringify(value);
  return json.length <= 80 ? json : `${json.slice(0, 72)}..." (${value.length} chars)`;
}

export function invalidColumn(column: string, value: string, expected: string): LegacyAdapterError {
  return new LegacyAdapterError(
    'INVALID_COLUMN',
    `column ${column} is ${preview(value)}; expected ${expected}`,
  );
}

/**
 * The value of a column, or an error when the row does not hold it: a key-only old row (DEFAULT
 * replica identity) has only the key columns, and an unchanged TOASTed value was not sent.
 */
export function columnValue(row: Row, column: string): string | null {
  const value = row[column];
  if (typeof value === 'string' || value === null) return value;
  if (value === UNCHANGED_TOAST) {
    throw new LegacyAdapterError(
      'UNCHANGED_TOAST',
      `column ${column} is an unchanged TOAST value: its content was not sent; set REPLICA IDENTITY FULL on the table or treat it as unchanged (columns.isUnchangedToast(row, '${column}'))`,
    );
  }
  const known = Object.keys(row);
  throw new LegacyAdapterError(
    'INVALID_COLUMN',
    `column ${column} is not in the row (it has ${known.length > 0 ? known.join(', ') : 'no columns'}); ` +
      `an old row without REPLICA IDENTITY FULL holds only the primary-key columns`,
  );
}

/** True when the column holds an unchanged TOAST value (an update that did not touch a large value). */
export function isUnchangedToast(row: Row, column: string): boolean {
  return row[column] === UNCHANGED_TOAST;
}

/** Node parsers of array readers: a nested array arrives parsed, not as text. */
export const nodeParsers = new WeakMap<object, (node: unknown[], column: string) => unknown>();

/** Builds a reader and its nullable twin from a text parser. */
export function reader<T>(
  name: string,
  expected: string,
  parseText: TextParser<T>,
): ColumnReader<T> {
  const parse = (text: string | null, column = 'value'): T => {
    if (text === null) {
      throw new LegacyAdapterError(
        'INVALID_COLUMN',
        `column ${column} is null; expected ${expected} (read a nullable column with columns.${name}.nullable)`,
      );
    }
    const value = parseText(text, column);
    if (value === INVALID) throw invalidColumn(column, text, expected);
    return value;
  };
  const parseNullable = (text: string | null, column = 'value'): T | null =>
    text === null ? null : parse(text, column);
  const nullable = Object.assign(
    (row: Row, column: string) => parseNullable(columnValue(row, column), column),
    { parse: parseNullable },
  ) as ColumnReader<T | null>;
  Object.defineProperty(nullable, 'nullable', { value: nullable });
  const read = Object.assign(
    (row: Row, column: string) => parse(columnValue(row, column), column),
    {
      parse,
      nullable,
    },
  );
  return read as ColumnReader<T>;
}
