import { badRequest } from '@strangler/new-service';

// The legacy monolith's input rules, message for message: the proxy compares both answers.

/** Largest value of a Postgres `int` column: the legacy limit on quantities. */
export const MAX_INT = 2_147_483_647;
/** Longest identifier (ref, sku, orderid) the legacy system accepts. */
export const MAX_ID_LENGTH = 255;

const CONTROL_OR_LONE_SURROGATE = /[\p{Cc}\p{Cs}]/u;
const DIGITS = /^[0-9]+$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The request body as an object, or 400 when it is missing or not a JSON object. */
export function jsonObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('body must be a JSON object (send Content-Type: application/json)');
  }
  return body as Record<string, unknown>;
}

/** A JSON integer in [min, 2147483647]; strings such as "5" are refused. */
export function integer(value: unknown, field: string, min: number): number {
  if (value === undefined || value === null) throw badRequest(`${field} is required`);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > MAX_INT) {
    throw badRequest(`${field} must be an integer between ${min} and ${MAX_INT}`);
  }
  return value;
}

/** An optional calendar date "YYYY-MM-DD" (year 0001 to 9999); absent or null means null. */
export function optionalDate(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || !isCalendarDate(value)) {
    throw badRequest(`${field} must be a date "YYYY-MM-DD" or null`);
  }
  return value;
}

function isCalendarDate(text: string): boolean {
  const m = ISO_DATE.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1) return false;
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

/** An identifier from a path segment or a body field: 1 to 255 characters, no control characters. */
export function identifier(value: unknown, field: string): string {
  if (value === undefined || value === null) throw badRequest(`${field} is required`);
  if (typeof value !== 'string') throw badRequest(`${field} must be a string`);
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
