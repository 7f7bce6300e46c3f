import { UNCHANGED_TOAST, type ColumnValue, type Row } from '../pg/pgoutput.js';

/**
 * A value for a test row, turned into the text Postgres would send: numbers and bigints as
 * digits, booleans as `t`/`f`, a Date as a timestamptz in UTC, an array as an array literal, a
 * plain object as JSON, null as SQL NULL. Strings are taken as they are (already text).
 */
export type TestValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | undefined
  | Date
  | typeof UNCHANGED_TOAST
  | readonly TestValue[]
  | { readonly [key: string]: unknown };

/** A row of test values, by column. */
export type TestRow = Readonly<Record<string, TestValue>>;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** A Date as Postgres prints a timestamptz in a UTC session: `2024-05-01 12:34:56.5+00`. */
function timestamptzText(d: Date): string {
  if (Number.isNaN(d.getTime())) throw new Error('pgText: an invalid Date has no Postgres form');
  const ms = d.getUTCMilliseconds();
  const fraction = ms === 0 ? '' : `.${pad(ms, 3).replace(/0+$/, '')}`;
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${fraction}+00`
  );
}

function arrayElement(value: TestValue): string {
  if (Array.isArray(value)) return arrayLiteral(value);
  const text = pgText(value);
  if (text === null) return 'NULL';
  if (typeof text !== 'string')
    throw new Error('pgText: UNCHANGED_TOAST cannot be an array element');
  const plain = text !== '' && !/[{}",\\\s]/.test(text) && text.toUpperCase() !== 'NULL';
  return plain ? text : `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

function arrayLiteral(values: readonly TestValue[]): string {
  return `{${values.map(arrayElement).join(',')}}`;
}

/** The Postgres text form of a test value (see {@link TestValue}). */
export function pgText(value: TestValue): ColumnValue {
  if (value === null || value === undefined) return null;
  if (value === UNCHANGED_TOAST) return UNCHANGED_TOAST;
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      return Number.isNaN(value) ? 'NaN' : String(value);
    case 'bigint':
      return String(value);
    case 'boolean':
      return value ? 't' : 'f';
    default:
      if (value instanceof Date) return timestamptzText(value);
      if (Array.isArray(value)) return arrayLiteral(value);
      return JSON.stringify(value);
  }
}

/** A test row in Postgres text form. */
export function pgRow(row: TestRow): Row {
  const out: Row = {};
  for (const [column, value] of Object.entries(row)) out[column] = pgText(value);
  return out;
}
