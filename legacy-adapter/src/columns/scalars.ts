import { INVALID, reader, type ColumnReader } from './reader.js';

// Readers of Postgres's text output (DateStyle ISO, extra_float_digits 3: the adapter sets both on
// its connections). Each checks the whole form, so a column of the wrong type fails loudly here
// instead of becoming a wrong value in an event.

const INTEGER = /^-?\d+$/;
const DECIMAL = /^-?(?:\d+(?:\.\d*)?|\.\d+)$/;
const FLOAT = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

/** Any value as it is: `text`, `varchar`, `uuid`, enums, and whatever else you want as text. */
export const text: ColumnReader<string> = reader('text', 'a text value', (t) => t);

/** `smallint`, `integer`, or a `bigint` within ±2^53: a JavaScript number. */
export const int: ColumnReader<number> = reader(
  'int',
  'an integer within ±9007199254740991 (larger ones: columns.bigint)',
  (t) => {
    if (!INTEGER.test(t)) return INVALID;
    const n = Number(t);
    return Number.isSafeInteger(n) ? n : INVALID;
  },
);

const bigintText = reader('bigint.asString', 'an integer, e.g. 9223372036854775807', (t) =>
  INTEGER.test(t) ? t : INVALID,
);

/** `bigint` (any integer) as a JavaScript bigint; `.asString` keeps its decimal text (for JSON). */
export const bigint: ColumnReader<bigint> & { readonly asString: ColumnReader<string> } =
  Object.assign(
    reader('bigint', 'an integer, e.g. 9223372036854775807', (t) =>
      INTEGER.test(t) ? BigInt(t) : INVALID,
    ),
    { asString: bigintText },
  );

const finite = (what: string) => `${what} (a finite number: JSON has no NaN or Infinity)`;

const numericNumber = reader('numeric.asNumber', finite('a decimal number'), (t) => {
  if (!DECIMAL.test(t)) return INVALID;
  const n = Number(t);
  return Number.isFinite(n) ? n : INVALID;
});

/**
 * `numeric` / `decimal` as its exact decimal text (`'12.50'`, `'123456789012345678901234.5'`;
 * also `'NaN'`, `'Infinity'`, `'-Infinity'`); `.asNumber` gives a JavaScript number (rounded to
 * double precision, finite only).
 */
export const numeric: ColumnReader<string> & { readonly asNumber: ColumnReader<number> } =
  Object.assign(
    reader('numeric', 'a decimal number, e.g. 12.50', (t) =>
      DECIMAL.test(t) || t === 'NaN' || t === 'Infinity' || t === '-Infinity' ? t : INVALID,
    ),
    { asNumber: numericNumber },
  );

/** `real` / `double precision` as a JavaScript number (finite only). */
export const float: ColumnReader<number> = reader(
  'float',
  finite('a floating-point number'),
  (t) => (FLOAT.test(t) ? Number(t) : INVALID),
);

/** `boolean`: Postgres prints `t` or `f`. */
export const bool: ColumnReader<boolean> = reader('bool', "a boolean, 't' or 'f'", (t) =>
  t === 't' ? true : t === 'f' ? false : INVALID,
);

/** `json` / `jsonb`, parsed (assert its type yourself: `columns.json(row, 'attrs') as Attrs`). */
export const json: ColumnReader<unknown> = reader('json', 'a JSON document', (t) => {
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return INVALID;
  }
});
