// The user's anti-corruption layer for the bank's legacy tables: plain JavaScript on the public
// API of @strangler/legacy-adapter.
import { columns, defineMapper } from '@strangler/legacy-adapter';
import { catalog } from './catalog.mjs';

const { text, numeric, json, isUnchangedToast } = columns;
const { types } = catalog;

function account(row) {
  return {
    accountId: text(row, 'id'),
    owner: text(row, 'owner'),
    balance: numeric(row, 'balance'),
    profile: json.nullable(row, 'profile'),
  };
}

function hold(row) {
  return {
    accountId: text(row, 'account_id'),
    holdId: text(row, 'id'),
    amount: numeric(row, 'amount'),
    note: text.nullable(row, 'note'),
  };
}

export default defineMapper(catalog, {
  tables: ['public.accounts', 'public.holds', 'public.fx_rates'],
  // A released hold's event needs its account id, which only the whole old row carries.
  fullIdentityTables: ['public.holds'],

  mapChange(change) {
    switch (change.table) {
      case 'public.accounts':
        if (change.kind === 'insert') {
          return [
            {
              type: types.AccountOpened,
              data: { ...account(change.row), statement: text.nullable(change.row, 'statement') },
            },
          ];
        }
        if (change.kind === 'update') {
          // An update that leaves the large statement alone does not send it (unchanged TOAST).
          const statement = isUnchangedToast(change.row, 'statement')
            ? {}
            : { statement: text.nullable(change.row, 'statement') };
          return [{ type: types.AccountChanged, data: { ...account(change.row), ...statement } }];
        }
        return [{ type: types.AccountClosed, data: { accountId: text(change.old, 'id') } }];
      case 'public.holds':
        return change.kind === 'delete'
          ? [
              {
                type: types.HoldReleased,
                data: { accountId: text(change.old, 'account_id'), holdId: text(change.old, 'id') },
              },
            ]
          : [{ type: types.HoldPlaced, data: hold(change.row) }];
      case 'public.fx_rates':
        return change.kind === 'delete'
          ? [{ type: types.RateRemoved, data: { currency: text(change.old, 'currency') } }]
          : [
              {
                type: types.RateSet,
                data: { currency: text(change.row, 'currency'), rate: numeric(change.row, 'rate') },
              },
            ];
      default:
        throw new Error(`no mapping for table ${change.table}`);
    }
  },

  // The legacy app empties the rate table each night: consumers must forget every rate.
  mapTruncate(change) {
    return change.tables.map((table) => ({ type: types.RatesCleared, data: { table } }));
  },
});
