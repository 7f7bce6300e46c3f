import { array } from './array.js';
import { isUnchangedToast } from './reader.js';
import { bigint, bool, float, int, json, numeric, text } from './scalars.js';
import { date, timestamp, timestamptz } from './time.js';

export type { ColumnReader } from './reader.js';
export { parseArrayLiteral, type ArrayNode } from './array.js';

/**
 * Typed readers of row values (which arrive as Postgres prints them): `columns.int(row, 'quantity')`.
 * Each throws a `LegacyAdapterError` naming the column, the value and the form it expected; SQL
 * NULL is an error unless read with `.nullable` (`columns.date.nullable(row, 'shipped_on')`).
 */
export const columns = Object.freeze({
  text,
  int,
  bigint,
  numeric,
  float,
  bool,
  date,
  timestamp,
  timestamptz,
  json,
  array,
  isUnchangedToast,
});
