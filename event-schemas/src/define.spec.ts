import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineEvent, EVENT_TYPE_PATTERN } from './define.js';
import { accountOpenedV1, accountOpenedV2, moneyDepositedV1 } from './testing/bank-catalog.js';
import { thrownMessage } from './testing/errors.js';

const schema = z.object({ accountId: z.string().min(1), cents: z.int(), memo: z.string() });
const base = {
  type: 'com.example.bank.fee_charged.v1',
  name: 'FeeCharged',
  aggregate: 'Account',
  description: 'A fee was charged.',
  schema,
  aggregateId: 'accountId',
  example: { accountId: 'acc-1', cents: 200, memo: 'monthly' },
} as const;
/** Plain-JS callers can pass anything: the checks must hold without the compiler's help. */
const untyped = (change: object) => () => defineEvent({ ...base, ...change } as never);

describe('defineEvent', () => {
  it('returns a frozen definition whose version is the suffix of its type', () => {
    const fee = defineEvent(base);
    expect(fee).toMatchObject({
      type: 'com.example.bank.fee_charged.v1',
      name: 'FeeCharged',
      version: 1,
      aggregate: 'Account',
      description: 'A fee was charged.',
      example: base.example,
      previous: undefined,
      upcast: undefined,
    });
    expect(Object.isFrozen(fee)).toBe(true);
    expect(Object.isFrozen(fee.example)).toBe(true);
    expect(accountOpenedV2.version).toBe(2);
  });

  it('gives a reader schema that drops unknown fields and a writer schema that refuses them', () => {
    const fee = defineEvent(base);
    const withExtra = { ...base.example, addedLater: true };
    expect(fee.schema.parse(withExtra)).toEqual(base.example);
    expect(fee.strictSchema.safeParse(withExtra).success).toBe(false);
  });

  it('titles the reader schema for the generated documents', () => {
    const json = z.toJSONSchema(defineEvent(base).schema, { target: 'draft-07' });
    expect(json).toMatchObject({ title: 'FeeCharged v1', description: 'A fee was charged.' });
  });

  it.each([
    'FeeCharged',
    'com.example.bank.fee_charged',
    'com.example.bank.fee_charged.v0',
    'com.example.bank.fee_charged.V1',
    'com.example.bank.FeeCharged.v1',
    'fee_charged.v1x',
    'Com.example.bank.fee_charged.v1',
  ])('refuses the type %j, which breaks the naming rule', (type) => {
    expect(type).not.toMatch(EVENT_TYPE_PATTERN);
    expect(thrownMessage(untyped({ type }))).toBe(
      `event type "${type}" must be reverse-DNS, snake_case, with a version suffix, e.g. com.example.bank.account_opened.v1`,
    );
  });

  it.each(['com.example.bank.fee_charged.v12', 'io.acme.billing_v2.fee_charged.v3'])(
    'accepts the type %j',
    (type) => {
      expect(type).toMatch(EVENT_TYPE_PATTERN);
      expect(defineEvent({ ...base, type }).version).toBe(Number(type.split('.v').at(-1)));
    },
  );

  it('refuses a type that is not a string', () => {
    expect(thrownMessage(untyped({ type: 42 }))).toBe('event type must be a string');
  });

  it('refuses a name that is not PascalCase', () => {
    expect(thrownMessage(untyped({ name: 'fee_charged' }))).toBe(
      'event name "fee_charged" of com.example.bank.fee_charged.v1 must be PascalCase, e.g. AccountOpened',
    );
  });

  it('refuses an event without an aggregate', () => {
    expect(thrownMessage(untyped({ aggregate: '' }))).toBe(
      "event com.example.bank.fee_charged.v1 needs an aggregate name, e.g. aggregate: 'Account'",
    );
  });

  it('refuses a schema that is not a zod object', () => {
    expect(thrownMessage(untyped({ schema: z.string() }))).toBe(
      "the schema of com.example.bank.fee_charged.v1 must be a z.object({ ... }) of the data's fields",
    );
  });

  it('refuses an example its own writer schema refuses, naming the problem', () => {
    const message = thrownMessage(untyped({ example: { ...base.example, cents: 1.5, extra: 1 } }));
    expect(message).toContain('the example of com.example.bank.fee_charged.v1 is invalid');
    expect(message).toContain('Unrecognized key: "extra"');
    expect(message).toContain('→ at cents');
  });
});

describe('defineEvent aggregateId', () => {
  it('reads a string field named by aggregateId', () => {
    expect(defineEvent(base).aggregateId({ ...base.example, accountId: 'acc-9' })).toBe('acc-9');
  });

  it('turns a number field into a string, since a Kafka key is text', () => {
    const loan = defineEvent({
      ...base,
      schema: z.object({ loanNumber: z.int(), cents: z.int() }),
      aggregateId: 'loanNumber',
      example: { loanNumber: 1042, cents: 5 },
    });
    expect(loan.aggregateId({ loanNumber: 7, cents: 1 })).toBe('7');
  });

  it('calls a function of the data', () => {
    const transfer = defineEvent({
      ...base,
      schema: z.object({ bank: z.string(), number: z.int() }),
      aggregateId: (data) => `${data.bank}/${data.number}`,
      example: { bank: 'ing', number: 12 },
    });
    expect(transfer.aggregateId({ bank: 'abn', number: 3 })).toBe('abn/3');
    expect(moneyDepositedV1.aggregateId(moneyDepositedV1.example)).toBe('acc-1');
  });

  it('refuses a field the schema does not have (a typo in a plain-JS catalog)', () => {
    expect(thrownMessage(untyped({ aggregateId: 'acountId' }))).toBe(
      'com.example.bank.fee_charged.v1: aggregateId must name a string or number field of the data (accountId, cents, memo) or be a function of the data, got "acountId"',
    );
  });

  it('refuses a field whose value is neither a string nor a number', () => {
    const message = thrownMessage(() =>
      defineEvent({
        ...base,
        schema: z.object({ accountId: z.string(), tags: z.array(z.string()) }),
        aggregateId: 'tags' as never,
        example: { accountId: 'a', tags: ['x'] },
      }),
    );
    expect(message).toBe(
      'com.example.bank.fee_charged.v1: aggregateId field "tags" must be a string or number field (the example has ["x"])',
    );
  });

  it('refuses a function that gives no non-empty string on the example', () => {
    expect(thrownMessage(untyped({ aggregateId: () => '' }))).toBe(
      'com.example.bank.fee_charged.v1: aggregateId must return a non-empty string; on the example it returned ""',
    );
    expect(thrownMessage(untyped({ aggregateId: (data: { id?: string }) => data.id }))).toBe(
      'com.example.bank.fee_charged.v1: aggregateId must return a non-empty string; on the example it returned undefined',
    );
  });

  it('refuses a function that throws on the example', () => {
    const message = thrownMessage(
      untyped({
        aggregateId: () => {
          throw new Error('no id');
        },
      }),
    );
    expect(message).toBe(
      'com.example.bank.fee_charged.v1: aggregateId threw on the example: no id',
    );
  });
});

describe('defineEvent versions', () => {
  const v2 = {
    ...base,
    type: 'com.example.bank.fee_charged.v2',
    schema: schema.extend({ currency: z.string() }),
    example: { ...base.example, currency: 'EUR' },
  } as const;
  const feeV1 = defineEvent(base);

  it('keeps the previous version and its upcaster on a later version', () => {
    const upcast = (v1: typeof feeV1.example) => ({ ...v1, currency: 'EUR' });
    const feeV2 = defineEvent({ ...v2, previous: feeV1, upcast });
    expect(feeV2.previous).toBe(feeV1);
    expect(feeV2.upcast).toBe(upcast);
    expect(accountOpenedV2.previous).toBe(accountOpenedV1);
  });

  it('refuses a previous version without an upcaster: old events must stay readable', () => {
    expect(thrownMessage(untyped({ ...v2, previous: feeV1 }))).toBe(
      'com.example.bank.fee_charged.v2 replaces com.example.bank.fee_charged.v1 but has no upcast: add upcast(data) turning v1 data into v2 data, so old events stay readable',
    );
  });

  it('refuses an upcaster without a previous version', () => {
    expect(thrownMessage(untyped({ ...v2, upcast: (data: object) => data }))).toBe(
      'com.example.bank.fee_charged.v2 has an upcast but no previous version',
    );
  });

  it('refuses a previous version of another event', () => {
    expect(
      thrownMessage(untyped({ ...v2, previous: moneyDepositedV1, upcast: (d: object) => d })),
    ).toBe(
      'com.example.bank.fee_charged.v2: previous must be an earlier version of FeeCharged, got com.example.bank.money_deposited.v1',
    );
  });

  it.each(['com.example.bank.fee_charged.v2', 'com.example.bank.fee_charged.v3'])(
    'refuses a previous version %s that is not earlier than v2',
    (previousType) => {
      const previous = defineEvent({ ...v2, type: previousType });
      expect(thrownMessage(untyped({ ...v2, previous, upcast: (d: object) => d }))).toBe(
        `com.example.bank.fee_charged.v2: previous must be an earlier version of FeeCharged, got ${previousType}`,
      );
    },
  );
});
