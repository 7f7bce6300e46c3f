// pgbench's tables mapped to events: each TPC-B transaction (3 updates and an insert) gives four.
import { columns, defineMapper } from '@strangler/legacy-adapter';
import { catalog } from './catalog.mjs';

const { int } = columns;
const { types } = catalog;
const s = (row, column) => String(int(row, column));

export default defineMapper(catalog, {
  tables: [
    'public.pgbench_accounts',
    'public.pgbench_tellers',
    'public.pgbench_branches',
    'public.pgbench_history',
  ],
  mapChange(change) {
    if (change.kind === 'delete') return [];
    const row = change.row;
    switch (change.table) {
      case 'public.pgbench_accounts':
        return [
          {
            type: types.AccountBalanceChanged,
            data: { aid: s(row, 'aid'), bid: s(row, 'bid'), balance: int(row, 'abalance') },
          },
        ];
      case 'public.pgbench_tellers':
        return [
          {
            type: types.TellerBalanceChanged,
            data: { tid: s(row, 'tid'), bid: s(row, 'bid'), balance: int(row, 'tbalance') },
          },
        ];
      case 'public.pgbench_branches':
        return [
          {
            type: types.BranchBalanceChanged,
            data: { bid: s(row, 'bid'), balance: int(row, 'bbalance') },
          },
        ];
      case 'public.pgbench_history':
        return [
          {
            type: types.HistoryRecorded,
            data: {
              aid: s(row, 'aid'),
              tid: s(row, 'tid'),
              bid: s(row, 'bid'),
              delta: int(row, 'delta'),
            },
          },
        ];
      default:
        throw new Error(`no mapping for table ${change.table}`);
    }
  },
});
