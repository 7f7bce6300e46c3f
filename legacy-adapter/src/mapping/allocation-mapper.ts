import type { RowChange } from '../capture/transaction.js';
import { UNCHANGED_TOAST, type ColumnValue, type Row } from '../pg/pgoutput.js';
import type { EventDraft, Mapper, MappingContext } from './mapper.js';

const PRODUCTS = 'public.products';
const BATCHES = 'public.batches';
const ORDER_LINES = 'public.order_lines';
const ALLOCATIONS = 'public.allocations';

/**
 * The mapping for the example legacy monolith (examples/legacy-monolith): products, batches,
 * order_lines and allocations rows become the Product aggregate's events, keyed by sku. The legacy
 * schema (surrogate ids, join tables) ends here; events speak of skus, references and order ids.
 */
export const allocationMapper: Mapper = {
  tables: [PRODUCTS, BATCHES, ORDER_LINES, ALLOCATIONS],
  // Updates and deletes must say what the row was: a deleted allocation row is only ids otherwise.
  fullIdentityTables: [BATCHES, ORDER_LINES, ALLOCATIONS],

  async mapChange(change, ctx) {
    switch (change.table) {
      case PRODUCTS:
        return change.kind === 'insert'
          ? [
              {
                type: 'io.strangler.allocation.product_created.v1',
                data: { sku: text(change.row, 'sku') },
              },
            ]
          : [];
      case BATCHES:
        return mapBatch(change);
      case ALLOCATIONS:
        return mapAllocation(change, ctx);
      case ORDER_LINES:
        // An order line is not an event by itself: it matters once it is allocated.
        return [];
      default:
        throw new Error(`table ${change.table} is captured but has no mapping`);
    }
  },

  async finishTransaction(events, tx, ctx) {
    // The legacy app bumps products.version_number in every write: that is the aggregate version.
    // Consumers skip events older than the version they hold, so a version is stamped only when it
    // is known as of this transaction, never from a read of the database's current row.
    const versions = new Map<string, number>();
    for (const c of tx.changes) {
      if (c.table === PRODUCTS && c.row)
        versions.set(text(c.row, 'sku'), int(c.row, 'version_number'));
    }
    return events.map((e) => {
      let version = versions.get(e.data.sku);
      if (version === undefined) {
        const product = ctx.seen(PRODUCTS, { sku: e.data.sku });
        version = product ? int(product, 'version_number') : undefined;
      }
      return version === undefined ? e : ({ ...e, data: { ...e.data, version } } as EventDraft);
    });
  },
};

function mapBatch(change: RowChange): EventDraft[] {
  if (change.kind === 'insert') {
    const row = change.row!;
    return [
      {
        type: 'io.strangler.allocation.batch_created.v1',
        data: {
          sku: text(row, 'sku'),
          ref: text(row, 'reference'),
          qty: int(row, 'purchased_quantity'),
          eta: date(row, 'eta'),
        },
      },
    ];
  }
  if (change.kind === 'delete')
    throw new Error(
      `batch ${text(change.old!, 'reference')} was deleted: the allocation model has no such event`,
    );
  const before = change.old!;
  const after = change.row!;
  const events: EventDraft[] = [];
  const ref = text(after, 'reference');
  const sku = text(after, 'sku');
  if (text(before, 'reference') !== ref || text(before, 'sku') !== sku) {
    throw new Error(
      `batch ${text(before, 'reference')} changed its reference or sku: the allocation model has no such event`,
    );
  }
  if (int(before, 'purchased_quantity') !== int(after, 'purchased_quantity')) {
    events.push({
      type: 'io.strangler.allocation.batch_quantity_changed.v1',
      data: { sku, ref, qty: int(after, 'purchased_quantity') },
    });
  }
  if (date(before, 'eta') !== date(after, 'eta')) {
    events.push({
      type: 'io.strangler.allocation.batch_eta_changed.v1',
      data: { sku, ref, eta: date(after, 'eta') },
    });
  }
  return events;
}

async function mapAllocation(change: RowChange, ctx: MappingContext): Promise<EventDraft[]> {
  if (change.kind === 'update') {
    const before = change.old!;
    const after = change.row!;
    if (
      text(before, 'orderline_id') === text(after, 'orderline_id') &&
      text(before, 'batch_id') === text(after, 'batch_id')
    )
      return [];
    return [
      ...(await allocation('deallocated', before, ctx)),
      ...(await allocation('allocated', after, ctx)),
    ];
  }
  return allocation(
    change.kind === 'insert' ? 'allocated' : 'deallocated',
    change.kind === 'insert' ? change.row! : change.old!,
    ctx,
  );
}

async function allocation(
  kind: 'allocated' | 'deallocated',
  row: Row,
  ctx: MappingContext,
): Promise<EventDraft[]> {
  const lineId = text(row, 'orderline_id');
  const batchId = text(row, 'batch_id');
  const line = await ctx.lookup(ORDER_LINES, { id: lineId });
  if (!line)
    throw new Error(
      `allocation ${text(row, 'id')} refers to order line ${lineId}, which is not known`,
    );
  const batch = await ctx.lookup(BATCHES, { id: batchId });
  if (!batch)
    throw new Error(`allocation ${text(row, 'id')} refers to batch ${batchId}, which is not known`);
  const data = {
    sku: text(line, 'sku'),
    orderid: text(line, 'orderid'),
    qty: int(line, 'qty'),
    batchref: text(batch, 'reference'),
  };
  return kind === 'allocated'
    ? [{ type: 'io.strangler.allocation.allocated.v1', data }]
    : [{ type: 'io.strangler.allocation.deallocated.v1', data }];
}

function value(row: Row | null, column: string): ColumnValue | undefined {
  const v = row?.[column];
  if (v === UNCHANGED_TOAST)
    throw new Error(`column ${column} is an unchanged TOAST value: its content was not sent`);
  return v;
}

function text(row: Row | null, column: string): string {
  const v = value(row, column);
  if (typeof v !== 'string')
    throw new Error(`column ${column} is ${v === null ? 'null' : 'missing'}; expected a value`);
  return v as string;
}

function int(row: Row | null, column: string): number {
  const v = text(row, column);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new Error(`column ${column} is "${v}"; expected an integer`);
  return n;
}

/** A Postgres `date` in text form is already YYYY-MM-DD (ISO DateStyle); null stays null. */
function date(row: Row | null, column: string): string | null {
  const v = value(row, column);
  if (v === null || v === undefined) return null;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v as string))
    throw new Error(`column ${column} is "${String(v)}"; expected a date YYYY-MM-DD`);
  return v as string;
}
