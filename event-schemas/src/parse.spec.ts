import { describe, expect, it } from 'vitest';
import { eventTypes } from './catalog.js';
import { createEvent } from './create.js';
import type { EventSchemaError } from './errors.js';
import { parseEvent } from './parse.js';

const created = createEvent(
  eventTypes.BatchCreated,
  { ref: 'batch-1', sku: 'RED-CHAIR', qty: 20, eta: null, version: 7 },
  {
    id: 'e-1',
    source: '/legacy/postgres/shop',
    time: '2024-05-01T12:00:00Z',
    sourceposition: '0/16B3748',
  },
);
/** The event as it would arrive: plain JSON. */
const wire = (): Record<string, unknown> =>
  JSON.parse(JSON.stringify(created)) as Record<string, unknown>;

function refused(input: unknown): EventSchemaError {
  const result = parseEvent(input);
  if (result.ok) throw new Error('expected parseEvent to refuse the event');
  return result.error;
}

describe('parseEvent', () => {
  it('returns the typed event for a valid CloudEvent', () => {
    const result = parseEvent(wire());
    expect(result).toEqual({ ok: true, event: created, extensions: {} });
  });

  it('keeps unknown extension attributes apart from the event', () => {
    const result = parseEvent({ ...wire(), traceparent: '00-abc-01', retries: 2, replay: true });
    expect(result.ok && result.extensions).toEqual({
      traceparent: '00-abc-01',
      retries: 2,
      replay: true,
    });
    expect(result.ok && result.event).toEqual(created);
  });

  it('treats attributes set to null as absent (CloudEvents JSON format)', () => {
    const result = parseEvent({ ...wire(), subject: null, sourcetx: null, traceparent: null });
    expect(result.ok).toBe(true);
    expect(result.ok && result.event.subject).toBeUndefined();
    expect(result.ok && result.extensions).toEqual({});
  });

  it('drops data fields it does not know, so an old consumer survives a producer that added one', () => {
    const input = wire();
    input.data = { ...(input.data as object), warehouse: 'north' };
    const result = parseEvent(input);
    expect(result.ok && result.event.data).toEqual(created.data);
  });

  it('accepts a JSON media type with parameters and normalises it', () => {
    const result = parseEvent({ ...wire(), datacontenttype: 'application/json; charset=utf-8' });
    expect(result.ok && result.event.datacontenttype).toBe('application/json');
  });

  it('fills partitionkey from the aggregate id when the event has none', () => {
    const { partitionkey: _key, ...input } = wire();
    const result = parseEvent(input);
    expect(result.ok && result.event.partitionkey).toBe('RED-CHAIR');
  });

  it('refuses a partitionkey that is not the aggregate id', () => {
    const error = refused({ ...wire(), partitionkey: 'BLUE-TABLE' });
    expect(error.code).toBe('INVALID_ENVELOPE');
    expect(error.message).toBe(
      'Invalid envelope of event e-1 from /legacy/postgres/shop: partitionkey: must equal the aggregate id "RED-CHAIR" so the aggregate\'s events share a partition (got "BLUE-TABLE")',
    );
  });

  it('says UNKNOWN_TYPE for a type outside the catalog', () => {
    const error = refused({ ...wire(), type: 'io.strangler.allocation.batch_deleted.v1' });
    expect(error.code).toBe('UNKNOWN_TYPE');
    expect(error.message).toBe(
      'Unknown event type in event e-1 from /legacy/postgres/shop: type: type "io.strangler.allocation.batch_deleted.v1" is not in the event catalog',
    );
    expect(error.details).toMatchObject({
      eventType: 'io.strangler.allocation.batch_deleted.v1',
      eventId: 'e-1',
      path: 'type',
    });
  });

  it('names the versions the catalog has when only the version is unknown', () => {
    const error = refused({ ...wire(), type: 'io.strangler.allocation.batch_created.v9' });
    expect(error.details.issues[0]?.message).toBe(
      'type "io.strangler.allocation.batch_created.v9" is not in the event catalog; the catalog has io.strangler.allocation.batch_created.v1',
    );
  });

  it('says INVALID_DATA with every failing field, the rule and the value', () => {
    const input = wire();
    input.data = { ref: 'batch-1', sku: 'RED-CHAIR', qty: -1, eta: '31/12/2024' };
    const error = refused(input);
    expect(error.code).toBe('INVALID_DATA');
    expect(error.retriable).toBe(false);
    expect(error.message).toBe(
      'Invalid data in io.strangler.allocation.batch_created.v1 event e-1 from /legacy/postgres/shop: data.qty: must be >= 0 (got -1); data.eta: must be a date YYYY-MM-DD or null (got "31/12/2024")',
    );
    expect(error.details.issues).toEqual([
      { path: 'data.qty', code: 'too_small', message: 'must be >= 0 (got -1)' },
      {
        path: 'data.eta',
        code: 'invalid_format',
        message: 'must be a date YYYY-MM-DD or null (got "31/12/2024")',
      },
    ]);
  });

  it.each([
    [[], 'Invalid CloudEvent: must be a JSON object (got an array)'],
    [null, 'Invalid CloudEvent: must be a JSON object (got null)'],
    ['{"id":1}', 'Invalid CloudEvent: must be a JSON object (got string)'],
  ])('refuses %j as INVALID_ENVELOPE', (input, message) => {
    const error = refused(input);
    expect(error.code).toBe('INVALID_ENVELOPE');
    expect(error.message).toBe(message);
  });

  it.each([
    [{ specversion: '0.3' }, 'specversion: must be "1.0" (CloudEvents 1.0) (got "0.3")'],
    [{ time: undefined }, 'time: is required'],
    [
      { time: '2024-05-01' },
      'time: must be an RFC 3339 timestamp with an offset, e.g. 2024-05-01T12:00:00Z (got "2024-05-01")',
    ],
    [
      { source: 'a b' },
      'source: must be an RFC 3986 URI-reference, e.g. /legacy/postgres/shop or urn:shop:legacy (got "a b")',
    ],
    [{ type: '' }, 'type: must not be empty (got "")'],
    [{ data: undefined }, 'data: is required'],
    [
      { datacontenttype: 'text/plain' },
      'datacontenttype: must be a JSON media type such as application/json (got "text/plain")',
    ],
    [
      { Trace: 'x' },
      'Trace: is not a valid CloudEvents attribute name (lower-case letters a-z and digits only) (got "x")',
    ],
    [
      { nested: { a: 1 } },
      'nested: an extension attribute must be a string, an integer or a boolean (got {"a":1})',
    ],
    [
      { data_base64: 'AAAA' },
      'data_base64: binary data is not supported: the events of this catalog carry JSON data (got "AAAA")',
    ],
  ])('refuses the envelope change %j, naming the attribute', (change, problem) => {
    const error = refused({ ...wire(), ...change });
    expect(error.code).toBe('INVALID_ENVELOPE');
    const from = 'source' in change ? change.source : '/legacy/postgres/shop';
    expect(error.message).toBe(`Invalid envelope of event e-1 from ${from}: ${problem}`);
  });

  it('serialises its error with code, message and issues for a dead-letter row', () => {
    const error = refused({ ...wire(), time: 'yesterday' });
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'EventSchemaError',
      code: 'INVALID_ENVELOPE',
      message: error.message,
      eventType: 'io.strangler.allocation.batch_created.v1',
      eventId: 'e-1',
      eventSource: '/legacy/postgres/shop',
      path: 'time',
      issues: [
        {
          path: 'time',
          code: 'invalid_format',
          message:
            'must be an RFC 3339 timestamp with an offset, e.g. 2024-05-01T12:00:00Z (got "yesterday")',
        },
      ],
    });
  });
});
