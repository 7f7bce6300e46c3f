import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase } from '@strangler/tests/harness';
import { LegacyAdapterError } from '../errors.js';
import { UNCHANGED_TOAST, type Row } from '../pg/pgoutput.js';
import { RAW_TEXT } from '../pg/raw-text.js';
import { SESSION_OPTIONS } from '../pg/session.js';
import { columns } from './index.js';

// Every reader is fed what a real Postgres prints, in the session settings the adapter uses (the
// stream, the snapshot and lookups print alike): the text forms are asked of the server, not
// written by hand.

let client: pg.Client;
beforeAll(async () => {
  const db = await testDatabase('columns');
  client = new pg.Client({ connectionString: db.url, options: SESSION_OPTIONS });
  await client.connect();
});
afterAll(() => client.end());

/** The row Postgres returns for `SELECT <expr> AS v`, every value as text. */
async function row(expression: string): Promise<Row> {
  const { rows } = await client.query<Row>({ text: `SELECT ${expression} AS v`, types: RAW_TEXT });
  return rows[0]!;
}

const { text, int, bigint, numeric, float, bool, date, timestamp, timestamptz, json, array } =
  columns;

describe('column readers on real Postgres output', () => {
  it('reads text, integers and bigints, refusing integers a JavaScript number cannot hold', async () => {
    expect(text(await row(`'héllo, "world"'::text`), 'v')).toBe('héllo, "world"');
    expect(int(await row('(-2147483648)::int4'), 'v')).toBe(-2147483648);
    expect(int(await row('9007199254740991::int8'), 'v')).toBe(9007199254740991);
    const big = await row('9223372036854775807::int8');
    expect(() => int(big, 'v')).toThrow(
      'column v is "9223372036854775807"; expected an integer within ±9007199254740991 (larger ones: columns.bigint)',
    );
    expect(bigint(big, 'v')).toBe(9223372036854775807n);
    expect(bigint.asString(big, 'v')).toBe('9223372036854775807');
    await expect(async () => int(await row(`'12.5'::numeric`), 'v')).rejects.toThrow(
      LegacyAdapterError,
    );
  });

  it('keeps numeric exact as text, with numbers on request, and floats as numbers', async () => {
    const many = await row(
      '123456789012345678901234567890.123456789012345678901234567890::numeric',
    );
    expect(numeric(many, 'v')).toBe(
      '123456789012345678901234567890.123456789012345678901234567890',
    );
    expect(numeric(await row('1.50::numeric(10,2)'), 'v')).toBe('1.50');
    expect(numeric(await row(`'NaN'::numeric`), 'v')).toBe('NaN');
    expect(numeric.asNumber(await row('1.50::numeric(10,2)'), 'v')).toBe(1.5);
    await expect(async () =>
      numeric.asNumber(await row(`'Infinity'::numeric`), 'v'),
    ).rejects.toThrow('expected a decimal number (a finite number: JSON has no NaN or Infinity)');
    expect(float(await row('0.1::float4'), 'v')).toBe(0.1);
    expect(float(await row('1e300::float8'), 'v')).toBe(1e300);
    await expect(async () => float(await row(`'NaN'::float8`), 'v')).rejects.toThrow(
      'column v is "NaN"',
    );
  });

  it("reads booleans from 't' and 'f'", async () => {
    expect(bool(await row('true'), 'v')).toBe(true);
    expect(bool(await row('false'), 'v')).toBe(false);
    await expect(async () => bool(await row(`'yes'::text`), 'v')).rejects.toThrow(
      `column v is "yes"; expected a boolean, 't' or 'f'`,
    );
  });

  it('reads dates as YYYY-MM-DD, infinities as they are and BC years astronomically', async () => {
    expect(date(await row(`'2024-02-29'::date`), 'v')).toBe('2024-02-29');
    expect(date(await row(`'infinity'::date`), 'v')).toBe('infinity');
    expect(date(await row(`'-infinity'::date`), 'v')).toBe('-infinity');
    expect(date(await row(`'0044-03-15 BC'::date`), 'v')).toBe('-000043-03-15');
    expect(date(await row(`'10000-01-01'::date`), 'v')).toBe('+010000-01-01');
    await expect(async () => date(await row(`'2024-02-29 10:00'::timestamp`), 'v')).rejects.toThrow(
      'expected a date YYYY-MM-DD',
    );
  });

  it('reads timestamptz as UTC ISO 8601 keeping microseconds, whatever offset it was written with', async () => {
    expect(timestamptz(await row(`'2024-05-01 12:34:56.123456+02'::timestamptz`), 'v')).toBe(
      '2024-05-01T10:34:56.123456Z',
    );
    expect(timestamptz(await row(`'2024-05-01 12:34:56+00'::timestamptz`), 'v')).toBe(
      '2024-05-01T12:34:56.000000Z',
    );
    expect(timestamptz(await row(`'infinity'::timestamptz`), 'v')).toBe('infinity');
    expect(timestamptz(await row(`'0044-03-15 10:00:00+00 BC'::timestamptz`), 'v')).toBe(
      '-000043-03-15T10:00:00.000000Z',
    );
    // Another session time zone prints offsets, even with seconds (local mean time before 1906).
    await client.query(`SET TimeZone = 'Asia/Kolkata'`);
    try {
      expect(timestamptz(await row(`'2024-05-01 12:34:56.123456+00'::timestamptz`), 'v')).toBe(
        '2024-05-01T12:34:56.123456Z',
      );
      const lmt = await row(`'1900-01-01 00:00:00+00'::timestamptz`);
      expect(lmt.v).toBe('1900-01-01 05:21:10+05:21:10');
      expect(timestamptz(lmt, 'v')).toBe('1900-01-01T00:00:00.000000Z');
    } finally {
      await client.query('SET TimeZone = UTC');
    }
  });

  it('reads timestamp without time zone without inventing one', async () => {
    expect(timestamp(await row(`'2024-05-01 12:34:56.000120'::timestamp`), 'v')).toBe(
      '2024-05-01T12:34:56.000120',
    );
    await expect(async () => timestamp(await row(`now()`), 'v')).rejects.toThrow(
      'expected a timestamp',
    );
  });

  it('parses json and jsonb', async () => {
    expect(json(await row(`'{"b": 1, "a": [1, 2.50, null, "x"]}'::jsonb`), 'v')).toEqual({
      a: [1, 2.5, null, 'x'],
      b: 1,
    });
    expect(json(await row(`'{"b":1,  "a":2}'::json`), 'v')).toEqual({ a: 2, b: 1 });
    expect(() => json({ v: '{oops' }, 'v')).toThrow(
      'column v is "{oops"; expected a JSON document',
    );
  });

  it('parses arrays: quotes, commas, backslashes, NULL elements, the string NULL, empty and nested arrays', async () => {
    const tricky = await row(
      `ARRAY['a,b', 'say "hi"', 'back\\slash', NULL, 'NULL', '', ' sp ', '{}', E'tab\\there']::text[]`,
    );
    expect(array(text.nullable)(tricky, 'v')).toEqual([
      'a,b',
      'say "hi"',
      'back\\slash',
      null,
      'NULL',
      '',
      ' sp ',
      '{}',
      'tab\there',
    ]);
    expect(() => array(text)(tricky, 'v')).toThrow(
      'column v[4] is null; expected a text value (read a nullable column with columns.text.nullable)',
    );
    expect(array(text)(await row(`'{}'::text[]`), 'v')).toEqual([]);
    expect(array(int)(await row(`'[0:1]={7,8}'::int[]`), 'v')).toEqual([7, 8]);
    const grid = await row(`'{{1,2},{3,NULL}}'::int[]`);
    expect(array(array(int.nullable))(grid, 'v')).toEqual([
      [1, 2],
      [3, null],
    ]);
    expect(() => array(int)(grid, 'v')).toThrow('column v is a multi-dimensional array');
    expect(array(json)(await row(`ARRAY['{"a": 1}'::jsonb, '[1]'::jsonb]`), 'v')).toEqual([
      { a: 1 },
      [1],
    ]);
    expect(
      array(timestamptz)(await row(`ARRAY['2024-01-01 00:00:00+00'::timestamptz]`), 'v'),
    ).toEqual(['2024-01-01T00:00:00.000000Z']);
    expect(array(bool)(await row('ARRAY[true, false]'), 'v')).toEqual([true, false]);
    expect(array(numeric.nullable)(await row('ARRAY[1.5, NULL]::numeric[]'), 'v')).toEqual([
      '1.5',
      null,
    ]);
    await expect(async () => array(int)(await row(`ARRAY['1', 'x']`), 'v')).rejects.toThrow(
      'column v[2] is "x"',
    );
    expect(() => array(text)({ v: '{"unterminated}' }, 'v')).toThrow(
      'expected an array literal such as {a,"b c",NULL}',
    );
  });

  it('treats SQL NULL as an error unless read as nullable', async () => {
    const nulls = await row('NULL::int');
    expect(int.nullable(nulls, 'v')).toBeNull();
    expect(int.nullable.nullable(nulls, 'v')).toBeNull();
    expect(date.nullable(await row(`'2024-01-01'::date`), 'v')).toBe('2024-01-01');
    expect(() => int(nulls, 'v')).toThrow(
      'column v is null; expected an integer within ±9007199254740991 (larger ones: columns.bigint) (read a nullable column with columns.int.nullable)',
    );
  });

  it('names an unchanged TOAST value and a column the row does not have, and tells them apart', () => {
    const row: Row = { id: '1', body: UNCHANGED_TOAST };
    expect(columns.isUnchangedToast(row, 'body')).toBe(true);
    expect(columns.isUnchangedToast(row, 'id')).toBe(false);
    const toast = (() => {
      try {
        text(row, 'body');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(toast).toMatchObject({
      code: 'UNCHANGED_TOAST',
      message:
        "column body is an unchanged TOAST value: its content was not sent; set REPLICA IDENTITY FULL on the table or treat it as unchanged (columns.isUnchangedToast(row, 'body'))",
    });
    expect(() => text.nullable(row, 'body')).toThrow('unchanged TOAST value');
    expect(() => text(row, 'title')).toThrow(
      'column title is not in the row (it has id, body); an old row without REPLICA IDENTITY FULL holds only the primary-key columns',
    );
  });

  it('cuts a long value short in its error', () => {
    const long = 'x'.repeat(500);
    expect(() => int({ v: long }, 'v')).toThrow(
      /column v is "x{71}\.\.\." \(500 chars\); expected/,
    );
  });
});
