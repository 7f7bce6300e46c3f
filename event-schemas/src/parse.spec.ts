import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineCatalog } from './catalog.js';
import { defineEvent } from './define.js';
import { bankCatalog } from './testing/bank-catalog.js';
import { refusal } from './testing/errors.js';

const { createEvent, parseEvent, types } = bankCatalog;
const created = createEvent(
  types.AccountOpened,
  { accountId: 'acc-1', owner: 'Ada', currency: 'EUR' },
  {
    id: 'e-1',
    source: '/legacy/postgres/bank',
    time: '2024-05-01T12:00:00Z',
    sourceposition: '0/16B3748',
  },
);
/** The event as it would arrive: plain JSON. */
const wire = (): Record<string, unknown> =>
  JSON.parse(JSON.stringify(created)) as Record<string, unknown>;
const refused = (input: unknown) => refusal(parseEvent(input));

describe('parseEvent', () => {
  it('returns the typed event for a valid CloudEvent', () => {
    const result = parseEvent(wire());
    expect(result).toEqual({ ok: true, event: created, extensions: {} });
    expect(result.ok && 'upcastFrom' in result).toBe(false);
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
    input.data = { ...(input.data as object), branch: 'north' };
    const result = parseEvent(input);
    expect(result.ok && result.event.data).toEqual(created.data);
  });

  it('keeps dataschema on an event of the current version', () => {
    const dataschema = 'https://schemas.example.com/account_opened.v2.json';
    const result = parseEvent({ ...wire(), dataschema });
    expect(result.ok && result.event.dataschema).toBe(dataschema);
  });

  it('accepts a JSON media type with parameters and normalises it', () => {
    const result = parseEvent({ ...wire(), datacontenttype: 'application/json; charset=utf-8' });
    expect(result.ok && result.event.datacontenttype).toBe('application/json');
  });

  it('fills partitionkey from the aggregate id when the event has none', () => {
    const { partitionkey: _key, ...input } = wire();
    const result = parseEvent(input);
    expect(result.ok && result.event.partitionkey).toBe('acc-1');
  });

  it('refuses a partitionkey that is not the aggregate id', () => {
    const error = refused({ ...wire(), partitionkey: 'acc-2' });
    expect(error.code).toBe('INVALID_ENVELOPE');
    expect(error.message).toBe(
      'Invalid envelope of event e-1 from /legacy/postgres/bank: partitionkey: must equal the aggregate id "acc-1" so the aggregate\'s events share a partition (got "acc-2")',
    );
  });

  it('says UNKNOWN_TYPE for a type outside the catalog', () => {
    const error = refused({ ...wire(), type: 'com.example.bank.account_closed.v1' });
    expect(error.code).toBe('UNKNOWN_TYPE');
    expect(error.message).toBe(
      'Unknown event type in event e-1 from /legacy/postgres/bank: type: type "com.example.bank.account_closed.v1" is not in the event catalog',
    );
    expect(error.details).toMatchObject({
      eventType: 'com.example.bank.account_closed.v1',
      eventId: 'e-1',
      path: 'type',
    });
  });

  it('names the versions the catalog has when only the version is unknown', () => {
    const error = refused({ ...wire(), type: 'com.example.bank.account_opened.v9' });
    expect(error.details.issues[0]?.message).toBe(
      'type "com.example.bank.account_opened.v9" is not in the event catalog; the catalog has com.example.bank.account_opened.v1, com.example.bank.account_opened.v2',
    );
  });

  it('says INVALID_DATA with every failing field, the rule and the value', () => {
    const input = wire();
    input.data = { accountId: 'acc-1', owner: '', currency: 'euro' };
    const error = refused(input);
    expect(error.code).toBe('INVALID_DATA');
    expect(error.retriable).toBe(false);
    expect(error.message).toBe(
      'Invalid data in com.example.bank.account_opened.v2 event e-1 from /legacy/postgres/bank: data.owner: must not be empty (got ""); data.currency: must be an ISO 4217 code (got "euro")',
    );
    expect(error.details.issues).toEqual([
      { path: 'data.owner', code: 'too_small', message: 'must not be empty (got "")' },
      {
        path: 'data.currency',
        code: 'invalid_format',
        message: 'must be an ISO 4217 code (got "euro")',
      },
    ]);
  });

  it('says INVALID_DATA for data that is not an object', () => {
    const error = refused({ ...wire(), data: null });
    expect(error.code).toBe('INVALID_DATA');
    expect(error.details.issues).toEqual([
      {
        path: 'data',
        code: 'invalid_type',
        message: 'Invalid input: expected object, received null (got null)',
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

  it('names neither id nor source when the event has none', () => {
    const { id: _id, source: _source, ...input } = wire();
    expect(refused(input).message).toBe('Invalid CloudEvent: id: is required; source: is required');
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
    const from = 'source' in change ? change.source : '/legacy/postgres/bank';
    expect(error.message).toBe(`Invalid envelope of event e-1 from ${from}: ${problem}`);
  });

  it('serialises its error with code, message and issues for a dead-letter row', () => {
    const error = refused({ ...wire(), time: 'yesterday' });
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'EventSchemaError',
      code: 'INVALID_ENVELOPE',
      message: error.message,
      eventType: 'com.example.bank.account_opened.v2',
      eventId: 'e-1',
      eventSource: '/legacy/postgres/bank',
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

describe('parseEvent with an aggregateId function that throws', () => {
  it('refuses the event instead of throwing', () => {
    const fragile = defineCatalog([
      defineEvent({
        type: 'com.example.bank.note_added.v1',
        name: 'NoteAdded',
        aggregate: 'Account',
        description: 'A note was added.',
        schema: z.object({ accountId: z.string(), text: z.string() }),
        aggregateId: (data) => {
          if (data.accountId === 'boom') throw new Error('no id for boom');
          return data.accountId;
        },
        example: { accountId: 'acc-1', text: 'hi' },
      }),
    ]);
    const result = fragile.parseEvent({
      specversion: '1.0',
      id: 'e-9',
      source: '/s',
      type: 'com.example.bank.note_added.v1',
      time: '2024-05-01T12:00:00Z',
      data: { accountId: 'boom', text: 'x' },
    });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.code).toBe('INVALID_DATA');
    expect(!result.ok && result.error.message).toContain('no id for boom');
  });
});
