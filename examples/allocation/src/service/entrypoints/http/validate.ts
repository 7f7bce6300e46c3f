import { badRequest } from '@strangler/new-service';

// The legacy monolith's input rules, message for message: the proxy compares both answers.

/** Largest value of a Postgres `int` column: the legacy limit on quantities. */
export const MAX_INT = 2_147_483_647;
/** Longest identifier (ref, sku, orderid) the legacy system accepts. */
export const MAX_ID_LENGTH = 255;

const CONTROL_OR_LONE_SURROGATE = /[\p{Cc}\p{Cs}]/u;
const DIGITS = /^[0-9]+$/;

/** An identifier from a path segment: 1 to 255 characters, no control characters. */
export function identifier(value: string, field: string): string {
  if (value.length === 0) throw badRequest(`${field} must not be empty`);
  if (value.length > MAX_ID_LENGTH) {
    throw badRequest(`${field} must be at most ${MAX_ID_LENGTH} characters`);
  }
  if (CONTROL_OR_LONE_SURROGATE.test(value)) {
    throw badRequest(`${field} must not contain control characters or lone surrogates`);
  }
  return value;
}

/**
 * A query-string integer in [1, 2147483647] written in digits, given once, or `fallback` when
 * absent. `value` is what `querystring.parse` gives: a string, an array when repeated.
 */
export function queryQuantity(value: unknown, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = typeof value === 'string' && DIGITS.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_INT) {
    throw badRequest(`${field} must be an integer between 1 and ${MAX_INT}`);
  }
  return n;
}
