/**
 * Session settings of every connection the adapter opens (replication, snapshot, lookups), so a
 * value prints the same on the stream, in the snapshot and in a lookup, whatever the server's or
 * the database's defaults: pgoutput sends values through the walsender session's output
 * functions. UTC makes timestamptz print `+00`; ISO dates are `YYYY-MM-DD`; extra_float_digits 3
 * prints floats exactly (shortest round-trip form).
 */
export const SESSION_OPTIONS = [
  '-c DateStyle=ISO,YMD',
  '-c TimeZone=UTC',
  '-c extra_float_digits=3',
  '-c IntervalStyle=postgres',
  '-c bytea_output=hex',
].join(' ');
