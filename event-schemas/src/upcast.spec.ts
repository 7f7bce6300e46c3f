import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineCatalog } from './catalog.js';
import { defineEvent } from './define.js';
import { accountOpenedV1, accountOpenedV2, bankCatalog } from './testing/bank-catalog.js';
import { refusal } from './testing/errors.js';
import type { EventEnvelope } from './types.js';

const v1Type = 'com.example.bank.account_opened.v1';
const v2Type = 'com.example.bank.account_opened.v2';
const v3Type = 'com.example.bank.account_opened.v3';

/** An AccountOpened v1 as a producer of last year wrote it, before v2 existed. */
const v1Event = (change: Record<string, unknown> = {}): Record<string, unknown> => ({
  specversion: '1.0',
  id: 'e-1',
  source: '/legacy/postgres/bank',
  type: v1Type,
  subject: 'acc-1',
  time: '2023-01-02T03:04:05Z',
  datacontenttype: 'application/json',
  partitionkey: 'acc-1',
  sourceposition: '0/16B3748',
  data: { accountId: 'acc-1', owner: 'Ada' },
  ...change,
});

/** AccountOpened v2 of the fixture with another upcaster from v1. */
function v2UpcastBy(upcast: (v1: typeof accountOpenedV1.example) => unknown) {
  const { previous: _previous, upcast: _upcast, ...v2 } = accountOpenedV2;
  const definition = defineEvent({
    ...v2,
    aggregateId: (data) => data.accountId,
    previous: accountOpenedV1,
    upcast: upcast as never,
  });
  return defineCatalog([accountOpenedV1, definition]);
}

describe('parseEvent of an old version', () => {
  it('returns the current shape, the type it arrived as in upcastFrom, the attributes kept', () => {
    const result = bankCatalog.parseEvent({ ...v1Event(), traceparent: '00-abc-01' });
    expect(result).toEqual({
      ok: true,
      event: {
        ...v1Event(),
        type: v2Type,
        data: { accountId: 'acc-1', owner: 'Ada', currency: 'EUR' },
      },
      extensions: { traceparent: '00-abc-01' },
      upcastFrom: v1Type,
    });
  });

  it('drops dataschema, which described the old version and not the data returned', () => {
    const result = bankCatalog.parseEvent(
      v1Event({ dataschema: 'https://schemas.example.com/account_opened.v1.json' }),
    );
    expect(result.ok && 'dataschema' in result.event).toBe(false);
    expect(result.ok && result.event.data).toEqual({
      accountId: 'acc-1',
      owner: 'Ada',
      currency: 'EUR',
    });
  });

  it('validates the data against the old schema first and hands the upcaster only known fields', () => {
    const seen: unknown[] = [];
    const catalog = v2UpcastBy((v1) => {
      seen.push(v1);
      return { ...v1, currency: 'CHF' };
    });
    const result = catalog.parseEvent(
      v1Event({ data: { accountId: 'acc-1', owner: 'Ada', branch: 'north' } }),
    );
    expect(result.ok && result.event.data).toEqual({
      accountId: 'acc-1',
      owner: 'Ada',
      currency: 'CHF',
    });
    expect(seen).toEqual([{ accountId: 'acc-1', owner: 'Ada' }]);

    const error = refusal(catalog.parseEvent(v1Event({ data: { accountId: 'acc-1' } })));
    expect(error.code).toBe('INVALID_DATA');
    expect(error.message).toBe(
      `Invalid data in ${v1Type} event e-1 from /legacy/postgres/bank: data.owner: is required`,
    );
    expect(seen).toHaveLength(1);
  });

  it('says INVALID_DATA naming the step when an upcaster throws', () => {
    const catalog = v2UpcastBy(() => {
      throw new Error('no currency for this branch');
    });
    const error = refusal(catalog.parseEvent(v1Event()));
    expect(error.code).toBe('INVALID_DATA');
    expect(error.message).toBe(
      `Cannot upcast ${v1Type} event e-1 from /legacy/postgres/bank: data: upcast from v1 to v2 threw: no currency for this branch`,
    );
    expect(error.details).toMatchObject({ eventType: v1Type, eventId: 'e-1', path: 'data' });
    expect(error.details.issues[0]?.code).toBe('upcast_failed');
  });

  it('says INVALID_DATA naming the step when an upcaster returns data the new schema refuses', () => {
    const catalog = v2UpcastBy((v1) => ({ ...v1, currency: 'euro' }));
    const error = refusal(catalog.parseEvent(v1Event()));
    expect(error.code).toBe('INVALID_DATA');
    expect(error.details.issues).toEqual([
      {
        path: 'data.currency',
        code: 'invalid_format',
        message: 'must be an ISO 4217 code (got "euro") (after upcasting from v1 to v2)',
      },
    ]);
  });

  it('checks partitionkey against the data as it arrived, which the producer partitioned by', () => {
    // v2 ids are upper case: a v1 event keeps the key it was partitioned by.
    const catalog = v2UpcastBy((v1) => ({
      ...v1,
      accountId: v1.accountId.toUpperCase(),
      currency: 'EUR',
    }));
    const accepted = catalog.parseEvent(v1Event());
    expect(accepted.ok && accepted.event.partitionkey).toBe('acc-1');
    expect(accepted.ok && accepted.event.data.accountId).toBe('ACC-1');

    const error = refusal(catalog.parseEvent(v1Event({ partitionkey: 'ACC-1' })));
    expect(error.code).toBe('INVALID_ENVELOPE');
    expect(error.details.issues[0]).toMatchObject({
      path: 'partitionkey',
      code: 'partitionkey_mismatch',
    });
  });

  it('upcasts a Kafka message of an old version as well (a golden fixture re-encoded)', () => {
    const sent = bankCatalog.toKafkaMessage(v1Event() as unknown as EventEnvelope);
    expect(sent.headers.ce_type).toBe(v1Type);
    const result = bankCatalog.parseKafkaMessage(sent);
    expect(result.ok && result.upcastFrom).toBe(v1Type);
    expect(result.ok && result.event.type).toBe(v2Type);
  });
});

describe('a chain of versions v1 -> v2 -> v3', () => {
  const upcasts: string[] = [];
  const v3Data = z.object({
    accountId: z.string().min(1),
    holders: z.array(z.string().min(1)).min(1),
    currency: z.string().length(3),
  });
  const accountOpenedV3 = defineEvent({
    type: v3Type,
    name: 'AccountOpened',
    aggregate: 'Account',
    description: 'An account was opened for one or more holders.',
    schema: v3Data,
    aggregateId: 'accountId',
    example: { accountId: 'acc-1', holders: ['Ada'], currency: 'EUR' },
    previous: accountOpenedV2,
    upcast: ({ owner, ...v2 }) => {
      upcasts.push('v2->v3');
      return { ...v2, holders: [owner] };
    },
  });
  const catalog = defineCatalog([accountOpenedV1, accountOpenedV2, accountOpenedV3]);

  it('lifts a v1 event through every step, oldest first', () => {
    upcasts.length = 0;
    const result = catalog.parseEvent(v1Event());
    expect(result.ok && result.event.type).toBe(v3Type);
    expect(result.ok && result.event.data).toEqual({
      accountId: 'acc-1',
      holders: ['Ada'],
      currency: 'EUR',
    });
    expect(result.ok && result.upcastFrom).toBe(v1Type);
    expect(upcasts).toEqual(['v2->v3']);
  });

  it('lifts a v2 event through the last step only', () => {
    const result = catalog.parseEvent(
      v1Event({ type: v2Type, data: { accountId: 'acc-1', owner: 'Bo', currency: 'USD' } }),
    );
    expect(result.ok && result.event.data).toEqual({
      accountId: 'acc-1',
      holders: ['Bo'],
      currency: 'USD',
    });
    expect(result.ok && result.upcastFrom).toBe(v2Type);
  });

  it('names the failing step when a later step refuses what an earlier one produced', () => {
    const strictV3 = defineEvent({
      ...accountOpenedV3,
      // A rule no type can express: only the upcast's result can break it.
      schema: v3Data.extend({ currency: z.string().regex(/^(USD|GBP)$/, 'must be USD or GBP') }),
      aggregateId: 'accountId',
      example: { accountId: 'acc-1', holders: ['Ada'], currency: 'USD' },
      previous: accountOpenedV2,
      upcast: ({ owner, ...v2 }) => ({ ...v2, holders: [owner] }),
    });
    const strict = defineCatalog([accountOpenedV1, accountOpenedV2, strictV3]);
    const error = refusal(strict.parseEvent(v1Event()));
    expect(error.code).toBe('INVALID_DATA');
    expect(error.details.issues.map((issue) => issue.message)).toEqual([
      'must be USD or GBP (got "EUR") (after upcasting from v2 to v3)',
    ]);
  });

  it('refuses to create any but the head of the chain', () => {
    for (const old of [v1Type, v2Type]) {
      const attributes = { id: 'e', source: '/s', time: '2024-05-01T00:00:00Z' };
      const create = () => catalog.createEvent(old as never, {} as never, attributes);
      expect(create).toThrow(
        `Cannot create event: type: is an old version: producers create ${v3Type}`,
      );
    }
  });
});
