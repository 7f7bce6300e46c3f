import { z } from 'zod';
import { defineCatalog } from '../catalog.js';
import { defineEvent } from '../define.js';
import { integerAtLeast, nonEmptyString } from '../fields.js';

// A small catalog for this package's specs, in a domain of its own (a bank), with two versions of
// one event so upcasting is exercised. The package itself knows no domain: users bring theirs.

export const accountOpenedV1 = defineEvent({
  type: 'com.example.bank.account_opened.v1',
  name: 'AccountOpened',
  aggregate: 'Account',
  description: 'An account was opened.',
  schema: z.object({ accountId: nonEmptyString(), owner: nonEmptyString() }),
  aggregateId: 'accountId',
  example: { accountId: 'acc-1', owner: 'Ada' },
});

export const accountOpenedV2 = defineEvent({
  type: 'com.example.bank.account_opened.v2',
  name: 'AccountOpened',
  aggregate: 'Account',
  description: 'An account was opened, in a currency.',
  schema: z.object({
    accountId: nonEmptyString(),
    owner: nonEmptyString(),
    currency: z.string().regex(/^[A-Z]{3}$/, { error: 'must be an ISO 4217 code' }),
  }),
  aggregateId: 'accountId',
  example: { accountId: 'acc-1', owner: 'Ada', currency: 'EUR' },
  previous: accountOpenedV1,
  upcast: (v1) => ({ ...v1, currency: 'EUR' }),
});

export const moneyDepositedV1 = defineEvent({
  type: 'com.example.bank.money_deposited.v1',
  name: 'MoneyDeposited',
  aggregate: 'Account',
  description: 'Money was paid into an account.',
  schema: z.object({
    accountId: nonEmptyString(),
    cents: integerAtLeast(1),
    memo: z.string().nullable(),
  }),
  aggregateId: (data) => data.accountId,
  example: { accountId: 'acc-1', cents: 1250, memo: null },
});

export const bankCatalog = defineCatalog([accountOpenedV1, accountOpenedV2, moneyDepositedV1], {
  name: 'bank',
  description: 'Events of the example bank.',
});

export type BankCatalog = typeof bankCatalog;
