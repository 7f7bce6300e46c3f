// The user's event catalog, as a team migrating a bank's ledger would write it: plain JavaScript,
// only @strangler/event-schemas and zod. Money travels as decimal strings (numeric is exact).
import { defineCatalog, defineEvent, fields } from '@strangler/event-schemas';
import { z } from 'zod';

const money = () => z.string().regex(/^-?\d+(\.\d+)?$/, { error: 'must be a decimal string' });
const accountId = () => fields.nonEmptyString();

const accountOpened = defineEvent({
  type: 'com.example.bank.account_opened.v1',
  name: 'AccountOpened',
  aggregate: 'Account',
  description: 'An account exists, with its current state.',
  schema: z.object({
    accountId: accountId(),
    owner: fields.nonEmptyString(),
    balance: money(),
    profile: z.record(z.string(), z.unknown()).nullable(),
    statement: z.string().nullable(),
  }),
  aggregateId: 'accountId',
  example: {
    accountId: '1',
    owner: 'Ada',
    balance: '10.00',
    profile: { tier: 'gold' },
    statement: null,
  },
});

const accountChanged = defineEvent({
  type: 'com.example.bank.account_changed.v1',
  name: 'AccountChanged',
  aggregate: 'Account',
  description: "An account's owner, balance or profile changed; statement only when it changed.",
  schema: z.object({
    accountId: accountId(),
    owner: fields.nonEmptyString(),
    balance: money(),
    profile: z.record(z.string(), z.unknown()).nullable(),
    statement: z.string().nullable().optional(),
  }),
  aggregateId: 'accountId',
  example: { accountId: '1', owner: 'Ada', balance: '12.50', profile: null },
});

const accountClosed = defineEvent({
  type: 'com.example.bank.account_closed.v1',
  name: 'AccountClosed',
  aggregate: 'Account',
  description: 'An account was closed.',
  schema: z.object({ accountId: accountId() }),
  aggregateId: 'accountId',
  example: { accountId: '1' },
});

const holdPlaced = defineEvent({
  type: 'com.example.bank.hold_placed.v1',
  name: 'HoldPlaced',
  aggregate: 'Account',
  description: 'An amount of an account is held (or a hold changed).',
  schema: z.object({
    accountId: accountId(),
    holdId: fields.nonEmptyString(),
    amount: money(),
    note: z.string().nullable(),
  }),
  aggregateId: 'accountId',
  example: { accountId: '1', holdId: '7', amount: '5.00', note: null },
});

const holdReleased = defineEvent({
  type: 'com.example.bank.hold_released.v1',
  name: 'HoldReleased',
  aggregate: 'Account',
  description: 'A hold was released.',
  schema: z.object({ accountId: accountId(), holdId: fields.nonEmptyString() }),
  aggregateId: 'accountId',
  example: { accountId: '1', holdId: '7' },
});

// Exchange rates are reference data: one aggregate for the whole table, so a truncate and the rows
// written around it stay in order on one partition.
const rates = () => 'fx-rates';

const rateSet = defineEvent({
  type: 'com.example.bank.rate_set.v1',
  name: 'RateSet',
  aggregate: 'RateTable',
  description: 'An exchange rate was set.',
  schema: z.object({ currency: z.string().regex(/^[A-Z]{3}$/), rate: money() }),
  aggregateId: rates,
  example: { currency: 'EUR', rate: '1.08000000' },
});

const rateRemoved = defineEvent({
  type: 'com.example.bank.rate_removed.v1',
  name: 'RateRemoved',
  aggregate: 'RateTable',
  description: 'An exchange rate was removed.',
  schema: z.object({ currency: z.string().regex(/^[A-Z]{3}$/) }),
  aggregateId: rates,
  example: { currency: 'EUR' },
});

const ratesCleared = defineEvent({
  type: 'com.example.bank.rates_cleared.v1',
  name: 'RatesCleared',
  aggregate: 'RateTable',
  description: 'Every exchange rate was removed (the legacy app truncates the table).',
  schema: z.object({ table: z.string() }),
  aggregateId: rates,
  example: { table: 'public.fx_rates' },
});

export const catalog = defineCatalog(
  [
    accountOpened,
    accountChanged,
    accountClosed,
    holdPlaced,
    holdReleased,
    rateSet,
    rateRemoved,
    ratesCleared,
  ],
  { name: 'bank', description: 'Events of a bank ledger captured from its legacy database.' },
);
export default catalog;
