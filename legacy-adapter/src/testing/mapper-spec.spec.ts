import { AssertionError } from 'node:assert';
import { describe, expect, it } from 'vitest';
import { columns } from '../columns/index.js';
import { defineMapper } from '../mapping/define-mapper.js';
import type { MappingContext, TransactionInfo } from '../mapping/types.js';
import { UNCHANGED_TOAST } from '../pg/pgoutput.js';
import { change } from './changes.js';
import { MapperSpec } from './mapper-spec.js';
import { pgRow, pgText } from './pg-text.js';
import { shopCatalog } from './shop-catalog.fixture.js';
import { CUSTOMERS, ORDERS, shopMapper } from './shop-mapper.fixture.js';

const spec = MapperSpec.for(shopMapper, shopCatalog);
const ada = {
  id: 7,
  email: 'ada@example.com',
  name: 'Ada',
  registered_at: '2024-05-01 12:00:00+00',
};
const order = {
  id: 1,
  customer_id: 7,
  reference: 'o-1',
  total: '12.50',
  status: 'placed',
  tags: ['gift', 'a,b'],
};
const orderPlaced = {
  type: shopCatalog.types.OrderPlaced,
  data: {
    customerId: '7',
    customerEmail: 'ada@example.com',
    orderRef: 'o-1',
    total: '12.50',
    tags: ['gift', 'a,b'],
  },
};

/** A mapper that records the context of every change it maps, and maps nothing. */
function probe() {
  const seen: Array<{ lookup: unknown; seen: unknown; transaction: TransactionInfo | null }> = [];
  const mapper = defineMapper(shopCatalog, {
    tables: [CUSTOMERS, ORDERS],
    async mapChange(_change, ctx: MappingContext) {
      seen.push({
        lookup: await ctx.lookup(CUSTOMERS, { id: '7' }),
        seen: ctx.seen(CUSTOMERS, { id: '7' }),
        transaction: ctx.transaction,
      });
      return [];
    },
  });
  return { mapper, seen };
}

describe('MapperSpec', () => {
  it('passes when the mapping gives exactly the drafts, resolving lookups from the given rows', async () => {
    await spec
      .given([{ table: CUSTOMERS, row: ada }])
      .when(change.insert(ORDERS, order))
      .then([orderPlaced]);
    await spec.when(change.update(ORDERS, order, { ...order, status: 'placed' })).thenNothing();
  });

  it('fails with a diff when the drafts differ', async () => {
    const failure = await spec
      .given([{ table: CUSTOMERS, row: ada }])
      .when(change.insert(ORDERS, order))
      .then([{ ...orderPlaced, data: { ...orderPlaced.data, total: '99.00' } }])
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(AssertionError);
    expect((failure as Error).message).toContain('MapperSpec: the drafts differ.');
    // node:assert's diff: `+` is what the mapper gave, `-` what the test expected.
    expect((failure as Error).message).toMatch(/\+\s+total: '12\.50'/);
    expect((failure as Error).message).toMatch(/-\s+total: '99\.00'/);
  });

  it('validates every draft against the catalog like the adapter, so an invalid one fails then()', async () => {
    const sloppy = defineMapper(shopCatalog, {
      tables: [CUSTOMERS],
      mapChange: (c) => [
        {
          type: shopCatalog.types.CustomerRenamed,
          data: { customerId: '7', name: c.kind === 'insert' ? '' : 'x' },
        },
      ],
    });
    const failure = await MapperSpec.for(sloppy, shopCatalog)
      .when(change.insert(CUSTOMERS, ada))
      .then([{ type: shopCatalog.types.CustomerRenamed, data: { customerId: '7', name: '' } }])
      .catch((e: unknown) => e as Error);
    expect(failure).toBeInstanceOf(AssertionError);
    expect(failure!.message).toBe(
      'MapperSpec: expected 1 draft(s), but mapping insert on public.customers failed (the adapter would stop or dead-letter it): ' +
        'draft 1 of 1 (com.example.shop.customer_renamed.v1) was refused by the catalog: Cannot create com.example.shop.customer_renamed.v1: data.name: must not be empty (got "")',
    );
  });

  it('asserts a failure by message, and fails when the mapping succeeds or fails otherwise', async () => {
    const error = await spec
      .when(change.delete(CUSTOMERS, ada))
      .thenThrows('customer 7 was deleted');
    expect(error.message).toBe('customer 7 was deleted: the shop has no such event');
    await spec
      .when(change.insert(ORDERS, order))
      .thenThrows(/refers to customer 7, who is not known/);
    await expect(spec.when(change.delete(ORDERS, order)).thenThrows('anything')).rejects.toThrow(
      'MapperSpec: expected the mapping to fail with anything, but it gave []',
    );
    await expect(spec.when(change.delete(CUSTOMERS, ada)).thenThrows(/unrelated/)).rejects.toThrow(
      'MapperSpec: the mapping failed, but with "customer 7 was deleted: the shop has no such event", not /unrelated/',
    );
  });

  it('lets ctx.seen find only rows seen on the stream, and ctx.lookup the database rows too', async () => {
    const { mapper, seen } = probe();
    await MapperSpec.for(mapper, shopCatalog)
      .givenDatabase([{ table: CUSTOMERS, row: ada }])
      .when(change.insert(ORDERS, order))
      .thenNothing();
    expect(seen[0]).toMatchObject({ lookup: pgRow(ada), seen: null });
    await MapperSpec.for(mapper, shopCatalog)
      .givenDatabase([{ table: CUSTOMERS, row: ada }])
      .given([{ table: CUSTOMERS, row: { ...ada, name: 'Ada L.' } }])
      .when(change.insert(ORDERS, order))
      .thenNothing();
    expect(seen[1]).toMatchObject({ lookup: { name: 'Ada L.' }, seen: { name: 'Ada L.' } });
  });

  it('maps the changes of one transaction in order: each sees those before, and ctx.transaction has them all', async () => {
    const { mapper, seen } = probe();
    const changes = [change.insert(CUSTOMERS, ada), change.insert(ORDERS, order)];
    const commitTime = new Date('2024-06-01T10:00:00Z');
    await MapperSpec.for(mapper, shopCatalog)
      .when(changes, { xid: 42, position: '0/16B3748', commitTime })
      .thenNothing();
    expect(seen[0]!.seen).toBeNull();
    expect(seen[1]!.seen).toEqual(pgRow(ada));
    expect(seen[1]!.transaction).toEqual({ xid: 42, position: '0/16B3748', commitTime, changes });
  });

  it('gives snapshot rows no transaction, and refuses to mix them with streamed changes', async () => {
    const { mapper, seen } = probe();
    await MapperSpec.for(mapper, shopCatalog).when(change.snapshot(CUSTOMERS, ada)).thenNothing();
    expect(seen[0]!.transaction).toBeNull();
    await expect(
      MapperSpec.for(mapper, shopCatalog)
        .when([change.snapshot(CUSTOMERS, ada), change.insert(CUSTOMERS, ada)])
        .thenNothing(),
    ).rejects.toThrow('snapshot rows and streamed changes cannot share a transaction');
  });

  it('maps a truncate with mapTruncate, and says the adapter would stop without it', async () => {
    await spec
      .when(change.truncate([ORDERS, CUSTOMERS], { cascade: true }))
      .thenThrows('the mapper has no mapTruncate');
    const withHook = defineMapper(shopCatalog, {
      ...shopMapper,
      mapTruncate: (t) => [{ type: shopCatalog.types.TablesEmptied, data: { tables: t.tables } }],
    });
    await MapperSpec.for(withHook, shopCatalog)
      .when(change.truncate(ORDERS))
      .then([{ type: shopCatalog.types.TablesEmptied, data: { tables: [ORDERS] } }]);
  });

  it('fails an `await` of when(...) itself instead of hanging it', async () => {
    const pending = spec.when(change.insert(CUSTOMERS, ada));
    await expect(
      (async () => {
        await (pending as unknown as Promise<void>);
      })(),
    ).rejects.toThrow('do not await when(...) itself');
  });
});

describe('pgText', () => {
  it('writes values as Postgres prints them, so the column readers read them back', () => {
    expect(pgRow({ n: 42, b: true, f: false, z: null, big: 9007199254740993n })).toEqual({
      n: '42',
      b: 't',
      f: 'f',
      z: null,
      big: '9007199254740993',
    });
    expect(pgText(new Date('2024-05-01T12:34:56.500Z'))).toBe('2024-05-01 12:34:56.5+00');
    expect(pgText({ a: [1, 'x'] })).toBe('{"a":[1,"x"]}');
    expect(pgText(UNCHANGED_TOAST)).toBe(UNCHANGED_TOAST);
    const tags = ['a,b', 'say "hi"', 'back\\slash', null, 'NULL', '', ' sp '];
    const literal = pgText(tags);
    expect(literal).toBe('{"a,b","say \\"hi\\"","back\\\\slash",NULL,"NULL",""," sp "}');
    expect(columns.array(columns.text.nullable)({ tags: literal }, 'tags')).toEqual(tags);
    expect(
      pgText([
        [1, 2],
        [3, null],
      ]),
    ).toBe('{{1,2},{3,NULL}}');
    expect(columns.timestamptz({ t: pgText(new Date('2024-05-01T12:34:56.5Z')) }, 't')).toBe(
      '2024-05-01T12:34:56.500000Z',
    );
  });
});
