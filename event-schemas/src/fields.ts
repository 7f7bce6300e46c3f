import { z } from 'zod';

// Building blocks shared by the envelope and the event data. Each carries its own message, so a
// refused event names the rule in words a producer can act on. No transforms or z.date(): every
// schema must stay exportable to JSON Schema.

type IssueInput = { input?: unknown };
const required = (rule: string) => (issue: IssueInput) =>
  issue.input === undefined ? 'is required' : rule;

/** A string with at least one character. */
export const nonEmptyString = () =>
  z.string({ error: required('must be a string') }).min(1, { error: 'must not be empty' });

/** An integer (within JavaScript's safe range) of at least `min`. */
export const integerAtLeast = (min: number) =>
  z.int({ error: required('must be an integer') }).min(min, { error: `must be >= ${min}` });

/** A calendar date `YYYY-MM-DD` (the regex knows month lengths and leap years), or null. */
export const isoDateOrNull = () =>
  z.iso
    .date({ error: required('must be a date YYYY-MM-DD or null') })
    .nullable()
    .meta({ examples: ['2024-05-31', null] });

/** An RFC 3339 timestamp with a time zone offset (`Z` or `+02:00`), any fractional precision. */
export const rfc3339Timestamp = () =>
  z.iso.datetime({
    offset: true,
    error: required('must be an RFC 3339 timestamp with an offset, e.g. 2024-05-01T12:00:00Z'),
  });
