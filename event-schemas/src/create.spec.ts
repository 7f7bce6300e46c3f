import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineCatalog } from './catalog.js';
import { defineEvent } from './define.js';
import { bankCatalog } from './testing/bank-catalog.js';
import { thrown } from './testing/errors.js';
import type { CreateEventAttributes } from './types.js';

const { createEvent, toKafkaMessage, types } = bankCatalog;
const attributes: CreateEventAttributes = {
  id: '74fbe9eb-1aef-5ed7-b195-802f3dea856d',
  source: '/legacy/postgres/bank',
  time: '2024-05-01T12:00:00.123456Z',
};
const opened = { accountId: 'acc-1', owner: 'Ada', currency: 'EUR' };

describe('createEvent', () => {
  it('builds a CloudEvents 1.0 envelope keyed and subjected by the aggregate id', () => {
    const event = createEvent(
      types.MoneyDeposited,
      { accountId: 'acc-7', cents: 1250, memo: 'rent' },
      { ...attributes, sourceposition: '0/16B3748', sourcetx: '771', correlationid: 'req-9' },
    );
    expect(event).toEqual({
      specversion: '1.0',
      id: attributes.id,
      source: '/legacy/postgres/bank',
      type: 'com.example.bank.money_deposited.v1',
      subject: 'acc-7',
      time: '2024-05-01T12:00:00.123456Z',
      datacontenttype: 'application/json',
      sourceposition: '0/16B3748',
      sourcetx: '771',
      correlationid: 'req-9',
      partitionkey: 'acc-7',
      data: { accountId: 'acc-7', cents: 1250, memo: 'rent' },
    });
  });

  it('returns a frozen event, so what was validated stays valid until it is encoded', () => {
    const event = createEvent(types.AccountOpened, opened, attributes);
    expect(Object.isFrozen(event)).toBe(true);
    expect(Object.isFrozen(event.data)).toBe(true);
    expect(() => {
      (event.data as { owner: string }).owner = '';
    }).toThrow(TypeError);
    const copy = { ...event, data: { ...event.data } };
    expect(toKafkaMessage(event)).toEqual(toKafkaMessage(copy));
  });

  it('freezes nested arrays and objects of data too', () => {
    const statementIssued = defineEvent({
      type: 'com.example.bank.statement_issued.v1',
      name: 'StatementIssued',
      aggregate: 'Account',
      description: 'A statement was issued.',
      schema: z.object({
        accountId: z.string().min(1),
        lines: z.array(z.object({ cents: z.int().min(1) })),
      }),
      aggregateId: 'accountId',
      example: { accountId: 'acc-1', lines: [{ cents: 1 }] },
    });
    const catalog = defineCatalog([statementIssued]);
    const event = catalog.createEvent(
      'com.example.bank.statement_issued.v1',
      { accountId: 'acc-1', lines: [{ cents: 5 }] },
      attributes,
    );
    expect(() => (event.data.lines as { cents: number }[]).push({ cents: 0 })).toThrow(TypeError);
    expect(() => {
      (event.data.lines[0] as { cents: number }).cents = 0;
    }).toThrow(TypeError);
    expect(catalog.toKafkaMessage(event).value).toBe('{"accountId":"acc-1","lines":[{"cents":5}]}');
  });

  it('omits optional attributes that were not given (no undefined keys)', () => {
    const event = createEvent(types.AccountOpened, opened, attributes);
    expect(Object.keys(event)).toEqual([
      'specversion',
      'id',
      'source',
      'type',
      'subject',
      'time',
      'datacontenttype',
      'partitionkey',
      'data',
    ]);
  });

  it('writes a Date time as its ISO string', () => {
    const time = new Date(Date.UTC(2024, 4, 1, 12, 0, 0, 5));
    const event = createEvent(types.AccountOpened, opened, { ...attributes, time });
    expect(event.time).toBe('2024-05-01T12:00:00.005Z');
  });

  it('writes a number aggregate id as a string in subject and partitionkey', () => {
    const loanGranted = defineEvent({
      type: 'com.example.bank.loan_granted.v1',
      name: 'LoanGranted',
      aggregate: 'Loan',
      description: 'A loan was granted.',
      schema: z.object({ loanNumber: z.int().min(1), cents: z.int() }),
      aggregateId: 'loanNumber',
      example: { loanNumber: 1, cents: 100 },
    });
    const catalog = defineCatalog([loanGranted]);
    const event = catalog.createEvent(
      'com.example.bank.loan_granted.v1',
      { loanNumber: 1042, cents: 5000 },
      attributes,
    );
    expect([event.subject, event.partitionkey]).toEqual(['1042', '1042']);
    expect(catalog.toKafkaMessage(event).key).toBe('1042');
  });

  it('refuses an unknown field in data, so a typo in a mapping fails at the producer', () => {
    const error = thrown(() =>
      createEvent(types.AccountOpened, { ...opened, ccy: 'EUR' } as never, attributes),
    );
    expect(error.code).toBe('INVALID_DATA');
    expect(error.message).toBe(
      'Cannot create com.example.bank.account_opened.v2: data.ccy: is not a known field',
    );
  });

  it('refuses invalid data, naming the field, the rule and the value', () => {
    const error = thrown(() =>
      createEvent(types.AccountOpened, { ...opened, owner: '', currency: 'euro' }, attributes),
    );
    expect(error.code).toBe('INVALID_DATA');
    expect(error.details).toMatchObject({
      eventType: 'com.example.bank.account_opened.v2',
      eventId: attributes.id,
      eventSource: attributes.source,
      path: 'data.owner',
    });
    expect(error.details.issues.map((issue) => `${issue.path}: ${issue.message}`)).toEqual([
      'data.owner: must not be empty (got "")',
      'data.currency: must be an ISO 4217 code (got "euro")',
    ]);
  });

  it.each([
    [
      { time: '2024-05-01 12:00:00' },
      'time: must be an RFC 3339 timestamp with an offset, e.g. 2024-05-01T12:00:00Z (got "2024-05-01 12:00:00")',
    ],
    [
      { time: '2024-05-01T12:00:00' },
      'time: must be an RFC 3339 timestamp with an offset, e.g. 2024-05-01T12:00:00Z (got "2024-05-01T12:00:00")',
    ],
    [
      { time: new Date(Number.NaN) },
      'time: must be an RFC 3339 timestamp with an offset, e.g. 2024-05-01T12:00:00Z (got "Invalid Date")',
    ],
    [{ id: '' }, 'id: must not be empty (got "")'],
    [
      { source: 'bank db' },
      'source: must be an RFC 3986 URI-reference, e.g. /legacy/postgres/shop or urn:shop:legacy (got "bank db")',
    ],
    [{ source: '' }, 'source: must not be empty (got "")'],
    [
      { dataschema: '/schemas/a.json' },
      'dataschema: must be an absolute RFC 3986 URI, e.g. https://example.com/schemas/batch.json (got "/schemas/a.json")',
    ],
    [{ sourceposition: '' }, 'sourceposition: must not be empty (got "")'],
  ])('refuses the attribute %j with INVALID_ENVELOPE', (change, problem) => {
    const error = thrown(() =>
      createEvent(types.AccountOpened, opened, { ...attributes, ...change }),
    );
    expect(error.code).toBe('INVALID_ENVELOPE');
    expect(error.message).toBe(`Cannot create com.example.bank.account_opened.v2: ${problem}`);
  });

  it('refuses subject and partitionkey: both are the aggregate id, set from the data', () => {
    for (const name of ['subject', 'partitionkey']) {
      const error = thrown(() =>
        createEvent(types.AccountOpened, opened, {
          ...attributes,
          [name]: 'other',
        } as CreateEventAttributes),
      );
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.message).toBe(
        `Cannot create com.example.bank.account_opened.v2: ${name}: is set by createEvent to the aggregate id and cannot be given`,
      );
    }
  });

  it('refuses an attribute the catalog does not know, listing the accepted ones', () => {
    const error = thrown(() =>
      createEvent(types.AccountOpened, opened, {
        ...attributes,
        traceparent: '00-x',
      } as CreateEventAttributes),
    );
    expect(error.message).toBe(
      'Cannot create com.example.bank.account_opened.v2: traceparent: is not an attribute of this catalog (accepted: id, source, time, dataschema, sourceposition, sourcetx, causationid, correlationid)',
    );
  });

  it('refuses attributes that are not an object', () => {
    const error = thrown(() => createEvent(types.AccountOpened, opened, null as never));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toBe(
      'Cannot create com.example.bank.account_opened.v2: attributes must be an object { id, source, time }',
    );
  });

  it('refuses a type that is not in the catalog', () => {
    const error = thrown(() =>
      createEvent('com.example.bank.account_closed.v1' as never, opened as never, attributes),
    );
    expect(error.code).toBe('UNKNOWN_TYPE');
    expect(error.message).toBe(
      'Cannot create event: type: "com.example.bank.account_closed.v1" is not in the event catalog',
    );
  });

  it('names the versions the catalog has when only the version is unknown', () => {
    const error = thrown(() =>
      createEvent('com.example.bank.account_opened.v3' as never, opened as never, attributes),
    );
    expect(error.message).toBe(
      'Cannot create event: type: "com.example.bank.account_opened.v3" is not in the event catalog; the catalog has com.example.bank.account_opened.v1, com.example.bank.account_opened.v2',
    );
  });

  it('refuses an old version: producers create the current one, consumers upcast the rest', () => {
    const error = thrown(() =>
      createEvent(
        'com.example.bank.account_opened.v1' as never,
        { accountId: 'acc-1', owner: 'Ada' } as never,
        attributes,
      ),
    );
    expect(error.code).toBe('UNKNOWN_TYPE');
    expect(error.details.issues).toEqual([
      {
        path: 'type',
        code: 'not_current',
        message: 'is an old version: producers create com.example.bank.account_opened.v2',
      },
    ]);
    expect(error.details.eventType).toBe('com.example.bank.account_opened.v1');
  });
});
