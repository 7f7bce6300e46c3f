import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { isCatalog } from './catalog.js';
import { defineEvent } from './define.js';
import { accountOpenedV1, accountOpenedV2, bankCatalog } from './testing/bank-catalog.js';
import type {
  AnyCatalog,
  Catalog,
  CatalogDraft,
  CatalogEvent,
  CatalogEventData,
  CatalogEventOfType,
  CatalogEventType,
  EventEnvelope,
} from './types.js';

type Bank = typeof bankCatalog;
const { createEvent, parseEvent, types } = bankCatalog;
const V2 = 'com.example.bank.account_opened.v2';
const DEPOSITED = 'com.example.bank.money_deposited.v1';
type OpenedData = { accountId: string; owner: string; currency: string };
type DepositedData = { accountId: string; cents: number; memo: string | null };
const attributes = { id: 'e-1', source: '/s', time: '2024-05-01T12:00:00Z' };

/** A consumer's projection: the compiler proves every event type is handled. */
function describeEvent(event: CatalogEvent<Bank>): string {
  switch (event.type) {
    case types.AccountOpened:
      return `${event.data.owner} opened ${event.data.accountId} in ${event.data.currency}`;
    case types.MoneyDeposited:
      return `${event.data.cents} cents into ${event.data.accountId}`;
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}

/** The same projection with a case forgotten: the default branch no longer compiles. */
function forgetful(event: CatalogEvent<Bank>): string {
  switch (event.type) {
    case types.AccountOpened:
      return event.data.owner;
    default: {
      // @ts-expect-error: MoneyDeposited is not handled, so event is not never here
      const unhandled: never = event;
      return String(unhandled);
    }
  }
}

describe('CatalogEvent', () => {
  it('is the union of current versions only, discriminated by type', () => {
    expectTypeOf<CatalogEventType<Bank>>().toEqualTypeOf<typeof V2 | typeof DEPOSITED>();
    expectTypeOf<CatalogEvent<Bank>>().toEqualTypeOf<
      EventEnvelope<typeof V2, OpenedData> | EventEnvelope<typeof DEPOSITED, DepositedData>
    >();
    expectTypeOf<CatalogEventData<Bank, typeof V2>>().toEqualTypeOf<OpenedData>();
    expectTypeOf<CatalogEventOfType<Bank, typeof DEPOSITED>>().toEqualTypeOf<
      EventEnvelope<typeof DEPOSITED, DepositedData>
    >();
    expectTypeOf(bankCatalog.$event).toEqualTypeOf<CatalogEvent<Bank> | undefined>();
    expect(bankCatalog.$event).toBeUndefined();
  });

  it('narrows data in an exhaustive switch over the types constants', () => {
    const opened = createEvent(types.AccountOpened, accountOpenedV2.example, attributes);
    expect(describeEvent(opened)).toBe('Ada opened acc-1 in EUR');
    const deposited = createEvent(
      types.MoneyDeposited,
      { accountId: 'acc-1', cents: 5, memo: null },
      attributes,
    );
    expect(describeEvent(deposited)).toBe('5 cents into acc-1');
    expect(() => forgetful(deposited)).not.toThrow();
  });

  it('is what parseEvent returns, narrowed with an if on type, upcast events included', () => {
    const result = parseEvent({
      ...attributes,
      specversion: '1.0',
      type: 'com.example.bank.account_opened.v1',
      data: accountOpenedV1.example,
    });
    if (!result.ok) throw result.error;
    const event = result.event;
    expectTypeOf(event).toEqualTypeOf<CatalogEvent<Bank>>();
    expectTypeOf(result.upcastFrom).toEqualTypeOf<string | undefined>();
    if (event.type === V2) expectTypeOf(event.data).toEqualTypeOf<OpenedData>();
    expect(describeEvent(event)).toBe('Ada opened acc-1 in EUR');
  });

  it('gives the types and current constants literal types', () => {
    expectTypeOf(types.AccountOpened).toEqualTypeOf<typeof V2>();
    expectTypeOf(types).toEqualTypeOf<{
      readonly AccountOpened: typeof V2;
      readonly MoneyDeposited: typeof DEPOSITED;
    }>();
    expectTypeOf(bankCatalog.current.AccountOpened).toEqualTypeOf(accountOpenedV2);
    expect(bankCatalog.current.AccountOpened).toBe(accountOpenedV2);
  });
});

describe('createEvent', () => {
  it('is typed by its type argument, data included', () => {
    const event = createEvent(
      types.MoneyDeposited,
      { accountId: 'a', cents: 1, memo: 'x' },
      attributes,
    );
    expectTypeOf(event).toEqualTypeOf<CatalogEventOfType<Bank, typeof DEPOSITED>>();
    expectTypeOf(event.data.memo).toEqualTypeOf<string | null>();
    expect(event.type).toBe(DEPOSITED);
  });

  it('accepts only current types', () => {
    const oldVersion = () =>
      // @ts-expect-error: v1 is an old version, producers create v2
      createEvent('com.example.bank.account_opened.v1', accountOpenedV1.example, attributes);
    expect(oldVersion).toThrow('is an old version: producers create ' + V2);
    const unknownType = () =>
      // @ts-expect-error: not in the catalog
      createEvent('com.example.bank.account_closed.v1', {}, attributes);
    expect(unknownType).toThrow('is not in the event catalog');
  });

  it('refuses data of the wrong shape at compile time as it does at run time', () => {
    const missing = { accountId: 'acc-1', owner: 'Ada' };
    // @ts-expect-error: AccountOpened v2 needs a currency
    const build = () => createEvent(types.AccountOpened, missing, attributes);
    expect(build).toThrow('data.currency: Invalid input: expected string, received undefined');
    const extra = () =>
      createEvent(
        types.MoneyDeposited,
        // @ts-expect-error: teller is not a field of MoneyDeposited
        { accountId: 'acc-1', cents: 1, memo: null, teller: 'Bo' },
        attributes,
      );
    expect(extra).toThrow('data.teller: is not a known field');
  });
});

describe('CatalogDraft', () => {
  it('is { type, data } of one current event, what a mapper returns', () => {
    expectTypeOf<CatalogDraft<Bank>>().toEqualTypeOf<
      { type: typeof V2; data: OpenedData } | { type: typeof DEPOSITED; data: DepositedData }
    >();
    const drafts: CatalogDraft<Bank>[] = [
      { type: types.AccountOpened, data: { accountId: 'acc-1', owner: 'Ada', currency: 'EUR' } },
      { type: types.MoneyDeposited, data: { accountId: 'acc-1', cents: 100, memo: null } },
    ];
    const events = drafts.map((draft, index) =>
      createEvent(draft.type, draft.data as never, { ...attributes, id: `e-${index}` }),
    );
    expect(events.map((event) => event.partitionkey)).toEqual(['acc-1', 'acc-1']);
  });

  it('pairs each type with its own data, and has no old versions', () => {
    // @ts-expect-error: the data of MoneyDeposited under the type of AccountOpened
    const mixed: CatalogDraft<Bank> = { type: V2, data: { accountId: 'a', cents: 1, memo: null } };
    const v1 = 'com.example.bank.account_opened.v1';
    // @ts-expect-error: v1 is not current
    const old: CatalogDraft<Bank> = { type: v1, data: { accountId: 'a', owner: 'Ada' } };
    expect([mixed.type, old.type]).toHaveLength(2);
  });
});

describe('defineEvent typing', () => {
  it('types the upcaster from the previous version and checks what it returns', () => {
    const base = {
      type: 'com.example.bank.account_opened.v3' as const,
      name: 'AccountOpened' as const,
      aggregate: 'Account',
      description: 'x',
      schema: z.object({ accountId: z.string(), holders: z.array(z.string()) }),
      aggregateId: 'accountId' as const,
      example: { accountId: 'a', holders: ['Ada'] },
      previous: accountOpenedV2,
    };
    const v3 = defineEvent({
      ...base,
      upcast: (v2) => {
        expectTypeOf(v2).toEqualTypeOf<OpenedData>();
        return { accountId: v2.accountId, holders: [v2.owner] };
      },
    });
    expectTypeOf(v3.example).toEqualTypeOf<{ accountId: string; holders: string[] }>();
    // @ts-expect-error: holders must be an array
    const wrong = () => defineEvent({ ...base, upcast: (v2) => ({ ...v2, holders: v2.owner }) });
    expect(wrong).not.toThrow();
  });

  it('takes as aggregateId only string or number fields, or a function returning a string', () => {
    const base = {
      type: 'com.example.bank.money_withdrawn.v1',
      name: 'MoneyWithdrawn',
      aggregate: 'Account',
      description: 'x',
      schema: z.object({ accountId: z.string(), cents: z.int(), memo: z.string().nullable() }),
      example: { accountId: 'a', cents: 1, memo: null },
    } as const;
    expect(defineEvent({ ...base, aggregateId: 'cents' }).aggregateId(base.example)).toBe('1');
    // @ts-expect-error: memo may be null, so it cannot key an aggregate
    expect(() => defineEvent({ ...base, aggregateId: 'memo' })).toThrow(
      'must be a string or number field',
    );
    // @ts-expect-error: the function must return a string
    expect(() => defineEvent({ ...base, aggregateId: (data) => data.cents })).toThrow(
      'must return a non-empty string',
    );
  });
});

describe('AnyCatalog', () => {
  it('takes any catalog, and isCatalog narrows an unknown value to one', () => {
    const accept = (catalog: AnyCatalog) => catalog.name;
    expect(accept(bankCatalog)).toBe('bank');
    const loaded: unknown = bankCatalog;
    if (!isCatalog(loaded)) throw new Error('not a catalog');
    expectTypeOf(loaded).toEqualTypeOf<Catalog>();
    expect(loaded.find(V2)?.name).toBe('AccountOpened');
  });
});

describe('types of a catalog whose events are not known (AnyCatalog)', () => {
  it('are a plain envelope and a plain draft, not never', () => {
    expectTypeOf<CatalogEvent<AnyCatalog>['type']>().toEqualTypeOf<string>();
    expectTypeOf<CatalogDraft<AnyCatalog>>().toHaveProperty('type').toEqualTypeOf<string>();
  });
});
