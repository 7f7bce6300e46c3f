import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineCatalog } from '../catalog.js';
import { defineEvent } from '../define.js';
import { bankCatalog } from '../testing/bank-catalog.js';
import { thrown } from '../testing/errors.js';
import type { EventEnvelope } from '../types.js';

const { createEvent, toKafkaMessage, types } = bankCatalog;
const event = createEvent(
  types.MoneyDeposited,
  { accountId: 'acc-1', cents: 1250, memo: null },
  {
    id: '74fbe9eb-1aef-5ed7-b195-802f3dea856d',
    source: '/legacy/postgres/bank',
    time: '2024-05-01T12:00:00Z',
    sourceposition: '0/16B3748',
    sourcetx: '771',
    causationid: 'cmd-1',
    correlationid: 'req-1',
    dataschema: 'https://schemas.example.com/money_deposited.v1.json',
  },
);
/** The same event built by hand, as a relay re-publishing a stored event would: not frozen. */
const handBuilt = (change: Record<string, unknown> = {}): EventEnvelope =>
  ({ ...(JSON.parse(JSON.stringify(event)) as object), ...change }) as unknown as EventEnvelope;

describe('toKafkaMessage', () => {
  it('maps the event to binary content mode: key, JSON value, ce_ headers and content-type', () => {
    expect(toKafkaMessage(event)).toEqual({
      key: 'acc-1',
      value: '{"accountId":"acc-1","cents":1250,"memo":null}',
      headers: {
        ce_specversion: '1.0',
        ce_id: '74fbe9eb-1aef-5ed7-b195-802f3dea856d',
        ce_source: '/legacy/postgres/bank',
        ce_type: 'com.example.bank.money_deposited.v1',
        ce_time: '2024-05-01T12:00:00Z',
        ce_subject: 'acc-1',
        ce_dataschema: 'https://schemas.example.com/money_deposited.v1.json',
        ce_partitionkey: 'acc-1',
        ce_sourceposition: '0/16B3748',
        ce_sourcetx: '771',
        ce_causationid: 'cmd-1',
        ce_correlationid: 'req-1',
        'content-type': 'application/json',
      },
    });
  });

  it('leaves out headers of attributes the event does not have', () => {
    const bare = createEvent(
      types.AccountOpened,
      { accountId: 'acc-1', owner: 'Ada', currency: 'EUR' },
      { id: 'e', source: '/s', time: '2024-05-01T12:00:00Z' },
    );
    expect(Object.keys(toKafkaMessage(bare).headers)).toEqual([
      'ce_specversion',
      'ce_id',
      'ce_source',
      'ce_type',
      'ce_time',
      'ce_subject',
      'ce_partitionkey',
      'content-type',
    ]);
  });

  it('encodes a valid hand-built event exactly like the one createEvent made', () => {
    expect(toKafkaMessage(handBuilt())).toEqual(toKafkaMessage(event));
  });

  it('refuses an envelope with an attribute the catalog does not know', () => {
    const error = thrown(() => toKafkaMessage({ ...event, traceparent: 'x' } as EventEnvelope));
    expect(error.code).toBe('INVALID_ENVELOPE');
    expect(error.message).toBe('Cannot encode event for Kafka: traceparent: is not a known field');
  });

  it('refuses an envelope without partitionkey, since it is the Kafka key', () => {
    const { partitionkey: _key, ...rest } = event;
    const error = thrown(() => toKafkaMessage(rest as EventEnvelope));
    expect(error.message).toBe('Cannot encode event for Kafka: partitionkey: is required');
    expect(error.details.eventId).toBe(event.id);
  });

  it('refuses something that is not an event at all', () => {
    const error = thrown(() => toKafkaMessage(null as never));
    expect(error.code).toBe('INVALID_ENVELOPE');
    expect(error.details.eventType).toBeUndefined();
  });

  it('refuses a hand-built event whose type is not in the catalog, naming the known versions', () => {
    const error = thrown(() =>
      toKafkaMessage(handBuilt({ type: 'com.example.bank.money_deposited.v2' })),
    );
    expect(error.code).toBe('UNKNOWN_TYPE');
    expect(error.message).toBe(
      'Cannot encode event for Kafka: type: "com.example.bank.money_deposited.v2" is not in the event catalog; the catalog has com.example.bank.money_deposited.v1',
    );
    expect(error.details.eventType).toBe('com.example.bank.money_deposited.v2');
  });

  it('checks hand-built data against the writer schema: unknown fields refused', () => {
    const data = { accountId: 'acc-1', cents: 0, memo: null, teller: 'Bo' };
    const error = thrown(() => toKafkaMessage(handBuilt({ data })));
    expect(error.code).toBe('INVALID_DATA');
    expect(error.details.issues).toEqual([
      { path: 'data.cents', code: 'too_small', message: 'must be >= 1 (got 0)' },
      { path: 'data.teller', code: 'unrecognized_keys', message: 'is not a known field' },
    ]);
  });

  it('refuses a hand-built partitionkey that is not the aggregate id of the data', () => {
    const error = thrown(() => toKafkaMessage(handBuilt({ partitionkey: 'acc-2' })));
    expect(error.code).toBe('INVALID_ENVELOPE');
    expect(error.message).toBe(
      'Cannot encode event for Kafka: partitionkey: must equal the aggregate id "acc-1" (got "acc-2")',
    );
  });

  it('refuses a value the schema refuses before trying to write it as JSON', () => {
    const error = thrown(() => toKafkaMessage({ ...event, data: { cents: 10n } } as EventEnvelope));
    expect(error.code).toBe('INVALID_DATA');
    expect(error.details.issues.map((issue) => issue.path)).toEqual([
      'data.accountId',
      'data.cents',
      'data.memo',
    ]);
  });

  it('refuses data that cannot be written as JSON, created or hand-built', () => {
    // A schema with an open field lets through what JSON cannot carry: the encoder is the last line.
    const noteAdded = defineEvent({
      type: 'com.example.bank.note_added.v1',
      name: 'NoteAdded',
      aggregate: 'Account',
      description: 'A note was attached to an account.',
      schema: z.object({ accountId: z.string(), note: z.unknown() }),
      aggregateId: 'accountId',
      example: { accountId: 'acc-1', note: 'hello' },
    });
    const catalog = defineCatalog([noteAdded]);
    const created = catalog.createEvent(
      'com.example.bank.note_added.v1',
      { accountId: 'acc-1', note: 10n },
      { id: 'e', source: '/s', time: '2024-05-01T12:00:00Z' },
    );
    const error = thrown(() => catalog.toKafkaMessage(created));
    expect(error.code).toBe('INVALID_DATA');
    expect(error.message).toBe(
      'Cannot encode event for Kafka: data: is not JSON-serialisable (Do not know how to serialize a BigInt)',
    );
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const handMade = { ...created, data: { accountId: 'acc-1', note: cyclic } };
    const again = thrown(() => catalog.toKafkaMessage(handMade as EventEnvelope));
    expect(again.code).toBe('INVALID_DATA');
    expect(again.message).toMatch(
      /^Cannot encode event for Kafka: data: is not JSON-serialisable \(Converting circular structure to JSON/,
    );
    expect(again.details.eventId).toBe('e');
  });
});

describe('toKafkaMessage of an event made by another catalog', () => {
  it("checks it against its own definitions, not the other catalog's mark", () => {
    const narrower = defineCatalog([
      defineEvent({
        type: 'com.example.bank.money_deposited.v1',
        name: 'MoneyDeposited',
        aggregate: 'Account',
        description: 'Money was paid in, in whole euros only.',
        schema: z.object({
          accountId: z.string(),
          cents: z.int().multipleOf(100),
          memo: z.string().nullable(),
        }),
        aggregateId: 'accountId',
        example: { accountId: 'acc-1', cents: 100, memo: null },
      }),
    ]);
    expect(thrown(() => narrower.toKafkaMessage(event)).code).toBe('INVALID_DATA');
    expect(bankCatalog.toKafkaMessage(event).key).toBe('acc-1');
  });
});
