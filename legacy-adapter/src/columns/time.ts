import { INVALID, reader, type ColumnReader } from './reader.js';

// Dates and timestamps as ISO 8601 text, never a JavaScript Date: a Date has milliseconds (Postgres
// keeps microseconds) and a `date` would become local midnight. Years outside 0000-9999 and BC
// years use JavaScript's expanded form (astronomical numbering: 44 BC is -000043), as
// `Date.prototype.toISOString` prints and `new Date(text)` reads.

const DATE = /^(\d{4,})-(\d{2})-(\d{2})( BC)?$/;
const TIMESTAMP = /^(\d{4,})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?( BC)?$/;
const TIMESTAMPTZ =
  /^(\d{4,})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?([+-])(\d{2})(?::(\d{2}))?(?::(\d{2}))?( BC)?$/;
const INFINITE = new Set(['infinity', '-infinity']);

function isoYear(year: number): string {
  if (year >= 0 && year <= 9999) return String(year).padStart(4, '0');
  return `${year < 0 ? '-' : '+'}${String(Math.abs(year)).padStart(6, '0')}`;
}

/** Astronomical year of Postgres's year text: `0044 BC` is -43. */
const yearOf = (digits: string, bc: string | undefined) =>
  bc ? 1 - Number(digits) : Number(digits);

const micros = (fraction: string | undefined) => (fraction ?? '').padEnd(6, '0');

/** `date` as `YYYY-MM-DD` (`'infinity'` and `'-infinity'` as they are). */
export const date: ColumnReader<string> = reader('date', 'a date YYYY-MM-DD', (t) => {
  if (INFINITE.has(t)) return t;
  const m = DATE.exec(t);
  if (!m) return INVALID;
  return `${isoYear(yearOf(m[1]!, m[4]))}-${m[2]}-${m[3]}`;
});

/**
 * `timestamp without time zone` as `YYYY-MM-DDTHH:MM:SS.ffffff` (microseconds, no zone: it has
 * none); `'infinity'` and `'-infinity'` as they are.
 */
export const timestamp: ColumnReader<string> = reader(
  'timestamp',
  'a timestamp YYYY-MM-DD HH:MM:SS[.ffffff]',
  (t) => {
    if (INFINITE.has(t)) return t;
    const m = TIMESTAMP.exec(t);
    if (!m) return INVALID;
    const year = isoYear(yearOf(m[1]!, m[8]));
    return `${year}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${micros(m[7])}`;
  },
);

/**
 * `timestamp with time zone` as ISO 8601 in UTC with microseconds, `YYYY-MM-DDTHH:MM:SS.ffffffZ`
 * (`'infinity'` and `'-infinity'` as they are). The adapter's sessions print UTC; another offset
 * (a value read elsewhere) is converted.
 */
export const timestamptz: ColumnReader<string> = reader(
  'timestamptz',
  'a timestamp with time zone YYYY-MM-DD HH:MM:SS[.ffffff]+HH[:MM]',
  (t) => {
    if (INFINITE.has(t)) return t;
    const m = TIMESTAMPTZ.exec(t);
    if (!m) return INVALID;
    const [, y, mo, d, h, mi, s, fraction, sign, oh, om, os, bc] = m;
    const offset =
      (sign === '-' ? -1 : 1) * (Number(oh) * 3600 + Number(om ?? 0) * 60 + Number(os ?? 0));
    if (offset === 0 && !bc && y!.length === 4) {
      return `${y}-${mo}-${d}T${h}:${mi}:${s}.${micros(fraction)}Z`;
    }
    const at = new Date(0);
    at.setUTCFullYear(yearOf(y!, bc), Number(mo) - 1, Number(d));
    at.setUTCHours(Number(h), Number(mi), Number(s) - offset, 0);
    if (Number.isNaN(at.getTime())) return INVALID;
    const iso = at.toISOString(); // ...THH:MM:SS.000Z, year expanded when needed
    return `${isoYear(at.getUTCFullYear())}${iso.slice(iso.indexOf('-', 1), iso.indexOf('.'))}.${micros(fraction)}Z`;
  },
);
