import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineCatalog, isCatalog } from './catalog.js';
import { defineEvent } from './define.js';
import { consumedEnvelopeSchema, producedEnvelopeSchema } from './envelope.js';
import * as api from './index.js';
import {
  accountOpenedV1,
  accountOpenedV2,
  bankCatalog,
  moneyDepositedV1,
} from './testing/bank-catalog.js';
import { thrownMessage } from './testing/errors.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** A v3 of AccountOpened, for catalogs that get a version wrong. */
const accountOpenedV3 = defineEvent({
  ...accountOpenedV2,
  type: 'com.example.bank.account_opened.v3',
  aggregateId: (data) => data.accountId,
  previous: accountOpenedV2,
  upcast: (v2) => v2,
});

describe('a catalog made by defineCatalog', () => {
  it('keeps every definition, every version, in the order given, frozen', () => {
    expect(bankCatalog.definitions).toEqual([accountOpenedV1, accountOpenedV2, moneyDepositedV1]);
    expect(Object.isFrozen(bankCatalog)).toBe(true);
    expect(Object.isFrozen(bankCatalog.definitions)).toBe(true);
    expect(bankCatalog.name).toBe('bank');
    expect(bankCatalog.description).toBe('Events of the example bank.');
  });

  it('names the current version of each event: the one no other version replaces', () => {
    expect(bankCatalog.current).toEqual({
      AccountOpened: accountOpenedV2,
      MoneyDeposited: moneyDepositedV1,
    });
    expect(bankCatalog.types).toEqual({
      AccountOpened: 'com.example.bank.account_opened.v2',
      MoneyDeposited: 'com.example.bank.money_deposited.v1',
    });
  });

  it('finds a definition of any version by type, and nothing for unknown or inherited names', () => {
    expect(bankCatalog.find('com.example.bank.account_opened.v1')).toBe(accountOpenedV1);
    expect(bankCatalog.find('com.example.bank.account_opened.v2')).toBe(accountOpenedV2);
    expect(bankCatalog.find('com.example.bank.account_opened.v3')).toBeUndefined();
    expect(bankCatalog.find('toString')).toBeUndefined();
    expect(bankCatalog.find('__proto__')).toBeUndefined();
  });

  it('gives the current definition of the event any version belongs to', () => {
    expect(bankCatalog.currentOf('com.example.bank.account_opened.v1')).toBe(accountOpenedV2);
    expect(bankCatalog.currentOf('com.example.bank.account_opened.v2')).toBe(accountOpenedV2);
    expect(bankCatalog.currentOf('com.example.bank.money_deposited.v1')).toBe(moneyDepositedV1);
    expect(bankCatalog.currentOf('com.example.bank.account_closed.v1')).toBeUndefined();
    expect(bankCatalog.currentOf('constructor')).toBeUndefined();
  });

  it('follows a chain of versions given in any order to its head', () => {
    const catalog = defineCatalog([accountOpenedV3, accountOpenedV1, accountOpenedV2]);
    expect(catalog.types).toEqual({ AccountOpened: 'com.example.bank.account_opened.v3' });
    expect(catalog.currentOf('com.example.bank.account_opened.v1')).toBe(accountOpenedV3);
  });

  it('is named "events" with an empty description unless told otherwise', () => {
    const catalog = defineCatalog([moneyDepositedV1]);
    expect([catalog.name, catalog.description]).toEqual(['events', '']);
  });

  it('is recognised by isCatalog, and nothing else is', () => {
    expect(isCatalog(bankCatalog)).toBe(true);
    for (const other of [{ name: 'bank' }, bankCatalog.definitions, null, 'bank', undefined]) {
      expect(isCatalog(other)).toBe(false);
    }
  });

  it.each(bankCatalog.definitions.map((d) => [d.type, d] as const))(
    '%s exports to draft-07 JSON Schema in both directions (no dates, no transforms)',
    (_type, d) => {
      const reader = z.toJSONSchema(d.schema, { target: 'draft-07', io: 'input' });
      const writer = z.toJSONSchema(d.schema, { target: 'draft-07', io: 'output' });
      expect(reader).toMatchObject({ type: 'object', title: `${d.name} v${d.version}` });
      expect(writer).toMatchObject({ additionalProperties: false });
      expect(Object.keys(reader.properties ?? {})).toEqual(Object.keys(d.example));
    },
  );

  it('exports both envelopes to draft-07 JSON Schema', () => {
    expect(z.toJSONSchema(producedEnvelopeSchema, { target: 'draft-07' })).toMatchObject({
      additionalProperties: false,
    });
    expect(
      z.toJSONSchema(consumedEnvelopeSchema, { target: 'draft-07', io: 'input' }),
    ).toMatchObject({ type: 'object' });
  });
});

describe('defineCatalog refuses a catalog that contradicts itself', () => {
  it.each([
    ['an empty list', []],
    ['no list', undefined],
  ])('%s', (_why, definitions) => {
    expect(thrownMessage(() => defineCatalog(definitions as never))).toBe(
      'defineCatalog needs a non-empty array of defineEvent(...) definitions',
    );
  });

  it('an entry that is not a definition, naming its index', () => {
    const entry = { type: 'com.example.bank.account_closed.v1' };
    expect(thrownMessage(() => defineCatalog([moneyDepositedV1, entry] as never))).toBe(
      'definitions[1] is not an event definition: make it with defineEvent',
    );
  });

  it('a type defined twice', () => {
    const again = defineEvent({
      type: 'com.example.bank.money_deposited.v1',
      name: 'MoneyDeposited',
      aggregate: 'Account',
      description: 'The same type again, by mistake.',
      schema: z.object({ accountId: z.string() }),
      aggregateId: 'accountId',
      example: { accountId: 'acc-1' },
    });
    expect(thrownMessage(() => defineCatalog([moneyDepositedV1, again]))).toBe(
      'event type com.example.bank.money_deposited.v1 is defined twice',
    );
  });

  it('a version whose previous is not in the catalog (old events could not be read)', () => {
    expect(thrownMessage(() => defineCatalog([accountOpenedV2, moneyDepositedV1]))).toBe(
      'com.example.bank.account_opened.v2 replaces com.example.bank.account_opened.v1, which is not in the catalog: keep every published version',
    );
    expect(thrownMessage(() => defineCatalog([accountOpenedV1, accountOpenedV3]))).toContain(
      'com.example.bank.account_opened.v3 replaces com.example.bank.account_opened.v2, which is not in the catalog',
    );
  });

  it('two current versions of one event, telling how to link them', () => {
    const { previous: _previous, upcast: _upcast, ...unlinked } = accountOpenedV2;
    const unlinkedV2 = defineEvent({ ...unlinked, aggregateId: (data) => data.accountId });
    expect(thrownMessage(() => defineCatalog([unlinkedV2, accountOpenedV1]))).toBe(
      'com.example.bank.account_opened.v1 and com.example.bank.account_opened.v2 are both current versions of AccountOpened: give com.example.bank.account_opened.v2 previous: AccountOpened v1 and an upcast',
    );
  });

  it('two versions replacing the same one', () => {
    const otherV3 = defineEvent({
      ...accountOpenedV3,
      aggregateId: (data) => data.accountId,
      previous: accountOpenedV1,
      upcast: (v1) => ({ ...v1, currency: 'USD' }),
    });
    expect(thrownMessage(() => defineCatalog([accountOpenedV1, accountOpenedV2, otherV3]))).toBe(
      'com.example.bank.account_opened.v1 is replaced by two versions; each version replaces one',
    );
  });

  it('a name unfit for generated documents', () => {
    expect(thrownMessage(() => defineCatalog([moneyDepositedV1], { name: 'bank/v2' }))).toBe(
      'catalog name "bank/v2" must be letters, digits, . _ - or spaces',
    );
  });
});

describe('the README', () => {
  it('documents every export of the package', () => {
    const undocumented = Object.keys(api).filter((name) => !readme.includes(`\`${name}`));
    expect(undocumented).toEqual([]);
  });
});
