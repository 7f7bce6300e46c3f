// Events of pgbench's TPC-B-like tables, as a team capturing that schema would declare them.
import { defineCatalog, defineEvent } from '@strangler/event-schemas';
import { z } from 'zod';

const id = () => z.string().regex(/^\d+$/);

const balance = (name, aggregate, key, extra = {}) =>
  defineEvent({
    type: `org.pgbench.${name.toLowerCase()}.v1`,
    name,
    aggregate,
    description: `A ${aggregate.toLowerCase()}'s balance changed.`,
    schema: z.object({ [key]: id(), ...extra, balance: z.number().int() }),
    aggregateId: key,
    example: {
      [key]: '1',
      ...Object.fromEntries(Object.keys(extra).map((k) => [k, '1'])),
      balance: 5,
    },
  });

export const catalog = defineCatalog(
  [
    balance('AccountBalanceChanged', 'Account', 'aid', { bid: id() }),
    balance('TellerBalanceChanged', 'Teller', 'tid', { bid: id() }),
    balance('BranchBalanceChanged', 'Branch', 'bid'),
    defineEvent({
      type: 'org.pgbench.history_recorded.v1',
      name: 'HistoryRecorded',
      aggregate: 'Account',
      description: 'One TPC-B transaction: who moved how much through which teller and branch.',
      schema: z.object({ aid: id(), tid: id(), bid: id(), delta: z.number().int() }),
      aggregateId: 'aid',
      example: { aid: '1', tid: '1', bid: '1', delta: -20 },
    }),
  ],
  { name: 'pgbench', description: "pgbench's tables captured as events (bench only)." },
);
