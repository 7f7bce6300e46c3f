import { describe, expect, it } from 'vitest';
import type { RowChange } from '../capture/transaction.js';
import { UNCHANGED_TOAST, type Row } from '../pg/pgoutput.js';
import { allocationMapper } from './allocation-mapper.js';
import type { MappingContext } from './mapper.js';

const rows: Record<string, Row> = {
  'public.order_lines/7': { id: '7', orderid: 'o-1', sku: 'RUG', qty: '3' },
  'public.batches/2': {
    id: '2',
    reference: 'b-2',
    sku: 'RUG',
    purchased_quantity: '10',
    eta: null,
  },
  'public.products/RUG': { sku: 'RUG', version_number: '4' },
};
/** Rows the stream has shown (`seen`); `lookup` also finds the database's current rows. */
const streamed: Record<string, Row> = {};
const ctx: MappingContext = {
  lookup: async (table, key) => rows[`${table}/${Object.values(key).join('/')}`] ?? null,
  seen: (table, key) => streamed[`${table}/${Object.values(key).join('/')}`] ?? null,
};
const change = (c: Partial<RowChange> & Pick<RowChange, 'kind' | 'table'>): RowChange => ({
  row: null,
  old: null,
  oldIsKeyOnly: false,
  ...c,
});

describe('allocation mapping (anti-corruption layer)', () => {
  it('turns a new product and batch into ProductCreated and BatchCreated with dates as YYYY-MM-DD', async () => {
    expect(
      await allocationMapper.mapChange(
        change({
          kind: 'insert',
          table: 'public.products',
          row: { sku: 'RUG', version_number: '0' },
        }),
        ctx,
      ),
    ).toEqual([{ type: 'io.strangler.allocation.product_created.v1', data: { sku: 'RUG' } }]);
    const batch = {
      id: '3',
      reference: 'b-3',
      sku: 'RUG',
      purchased_quantity: '20',
      eta: '2030-02-01',
    };
    expect(
      await allocationMapper.mapChange(
        change({ kind: 'insert', table: 'public.batches', row: batch }),
        ctx,
      ),
    ).toEqual([
      {
        type: 'io.strangler.allocation.batch_created.v1',
        data: { sku: 'RUG', ref: 'b-3', qty: 20, eta: '2030-02-01' },
      },
    ]);
  });

  it('emits one event per changed batch attribute and none for an unchanged row', async () => {
    const old = { id: '2', reference: 'b-2', sku: 'RUG', purchased_quantity: '10', eta: null };
    const both = await allocationMapper.mapChange(
      change({
        kind: 'update',
        table: 'public.batches',
        old,
        row: { ...old, purchased_quantity: '8', eta: '2030-01-01' },
      }),
      ctx,
    );
    expect(both.map((e) => e.type)).toEqual([
      'io.strangler.allocation.batch_quantity_changed.v1',
      'io.strangler.allocation.batch_eta_changed.v1',
    ]);
    expect(
      await allocationMapper.mapChange(
        change({ kind: 'update', table: 'public.batches', old, row: { ...old } }),
        ctx,
      ),
    ).toEqual([]);
  });

  it('resolves an allocation row’s ids into the order, quantity and batch reference', async () => {
    const alloc = { id: '1', orderline_id: '7', batch_id: '2' };
    expect(
      await allocationMapper.mapChange(
        change({ kind: 'insert', table: 'public.allocations', row: alloc }),
        ctx,
      ),
    ).toEqual([
      {
        type: 'io.strangler.allocation.allocated.v1',
        data: { sku: 'RUG', orderid: 'o-1', qty: 3, batchref: 'b-2' },
      },
    ]);
    expect(
      await allocationMapper.mapChange(
        change({ kind: 'delete', table: 'public.allocations', old: alloc }),
        ctx,
      ),
    ).toEqual([
      {
        type: 'io.strangler.allocation.deallocated.v1',
        data: { sku: 'RUG', orderid: 'o-1', qty: 3, batchref: 'b-2' },
      },
    ]);
  });

  it('stamps the version the transaction gave the product, or the last one the stream showed, never a database read', async () => {
    const drafts = [
      { type: 'io.strangler.allocation.product_created.v1' as const, data: { sku: 'RUG' } },
    ];
    const inTx = await allocationMapper.finishTransaction!(
      drafts,
      {
        changes: [
          change({
            kind: 'update',
            table: 'public.products',
            row: { sku: 'RUG', version_number: '9' },
          }),
        ],
      },
      ctx,
    );
    expect(inTx[0]!.data).toEqual({ sku: 'RUG', version: 9 });
    // The database says version 4, but the stream has not shown it: no version rather than a
    // future one, which would make consumers skip the events in between as stale.
    const unknown = await allocationMapper.finishTransaction!(drafts, { changes: [] }, ctx);
    expect(unknown[0]!.data).toEqual({ sku: 'RUG' });
    streamed['public.products/RUG'] = { sku: 'RUG', version_number: '3' };
    const seen = await allocationMapper.finishTransaction!(drafts, { changes: [] }, ctx);
    expect(seen[0]!.data).toEqual({ sku: 'RUG', version: 3 });
  });

  it('refuses what the new model has no event for, and values it cannot know, with the reason', async () => {
    await expect(
      allocationMapper.mapChange(
        change({ kind: 'delete', table: 'public.batches', old: rows['public.batches/2']! }),
        ctx,
      ),
    ).rejects.toThrow('batch b-2 was deleted');
    await expect(
      allocationMapper.mapChange(
        change({
          kind: 'insert',
          table: 'public.allocations',
          row: { id: '5', orderline_id: '99', batch_id: '2' },
        }),
        ctx,
      ),
    ).rejects.toThrow('allocation 5 refers to order line 99, which is not known');
    const toast: Row = {
      id: '2',
      reference: 'b-2',
      sku: UNCHANGED_TOAST,
      purchased_quantity: '1',
      eta: null,
    };
    await expect(
      allocationMapper.mapChange(
        change({ kind: 'insert', table: 'public.batches', row: toast }),
        ctx,
      ),
    ).rejects.toThrow('unchanged TOAST value');
    await expect(
      allocationMapper.mapChange(change({ kind: 'insert', table: 'public.other', row: {} }), ctx),
    ).rejects.toThrow('public.other is captured but has no mapping');
  });
});
