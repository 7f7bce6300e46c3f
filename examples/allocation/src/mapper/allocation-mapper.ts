import {
  columns,
  defineMapper,
  type MappingContext,
  type Row,
  type RowChange,
} from '@strangler/legacy-adapter';
import { allocationCatalog, type AllocationDraft } from '../catalog/index.js';
import { stamp } from './product-version.js';
import { ALLOCATIONS, BATCHES, ORDER_LINES, PRODUCTS } from './tables.js';

export { ALLOCATIONS, BATCHES, ORDER_LINES, PRODUCTS } from './tables.js';

const { text, int, date } = columns;
const types = allocationCatalog.types;

/**
 * The mapping of the example legacy monolith (examples/legacy-monolith): products, batches,
 * order_lines and allocations rows become the Product aggregate's events, keyed by sku. The legacy
 * schema (surrogate ids, join tables) ends here; events speak of skus, references and order ids.
 */
export const allocationMapper = defineMapper(allocationCatalog, {
  tables: [PRODUCTS, BATCHES, ORDER_LINES, ALLOCATIONS],
  // Updates and deletes must say what the row was: a deleted allocation row is only ids otherwise.
  fullIdentityTables: [BATCHES, ORDER_LINES, ALLOCATIONS],

  async mapChange(change, ctx) {
    switch (change.table) {
      case PRODUCTS:
        return change.kind === 'insert'
          ? stamp(
              [{ type: types.ProductCreated, data: { sku: text(change.row, 'sku') } }],
              change,
              ctx,
            )
          : [];
      case BATCHES:
        return stamp(mapBatch(change), change, ctx);
      case ALLOCATIONS:
        return stamp(await mapAllocation(change, ctx), change, ctx);
      case ORDER_LINES:
        // An order line is not an event by itself: it matters once it is allocated.
        return [];
      default:
        throw new Error(`table ${change.table} is captured but has no mapping`);
    }
  },
});

function mapBatch(change: RowChange): AllocationDraft[] {
  if (change.kind === 'insert') {
    const { row } = change;
    const data = {
      sku: text(row, 'sku'),
      ref: text(row, 'reference'),
      qty: int(row, 'purchased_quantity'),
      eta: date.nullable(row, 'eta'),
    };
    return [{ type: types.BatchCreated, data }];
  }
  if (change.kind === 'delete') {
    throw new Error(
      `batch ${text(change.old, 'reference')} was deleted: the allocation model has no such event`,
    );
  }
  const before = change.old;
  const after = change.row;
  if (!before)
    throw new Error(`batch update without its old row: set REPLICA IDENTITY FULL on ${BATCHES}`);
  const ref = text(after, 'reference');
  const sku = text(after, 'sku');
  if (text(before, 'reference') !== ref || text(before, 'sku') !== sku) {
    throw new Error(
      `batch ${text(before, 'reference')} changed its reference or sku: the allocation model has no such event`,
    );
  }
  const events: AllocationDraft[] = [];
  const qty = int(after, 'purchased_quantity');
  if (int(before, 'purchased_quantity') !== qty) {
    events.push({ type: types.BatchQuantityChanged, data: { sku, ref, qty } });
  }
  const eta = date.nullable(after, 'eta');
  if (date.nullable(before, 'eta') !== eta) {
    events.push({ type: types.BatchEtaChanged, data: { sku, ref, eta } });
  }
  return events;
}

async function mapAllocation(change: RowChange, ctx: MappingContext): Promise<AllocationDraft[]> {
  switch (change.kind) {
    case 'insert':
      return allocation('allocated', change.row, ctx);
    case 'delete':
      return allocation('deallocated', change.old, ctx);
    case 'update': {
      const before = change.old;
      if (!before)
        throw new Error(
          `allocation update without its old row: set REPLICA IDENTITY FULL on ${ALLOCATIONS}`,
        );
      const after = change.row;
      const same = (column: string) => text(before, column) === text(after, column);
      if (same('orderline_id') && same('batch_id')) return [];
      return [
        ...(await allocation('deallocated', before, ctx)),
        ...(await allocation('allocated', after, ctx)),
      ];
    }
    default: {
      const never: never = change;
      throw new Error(`unknown change ${JSON.stringify(never)}`);
    }
  }
}

async function allocation(
  kind: 'allocated' | 'deallocated',
  row: Row,
  ctx: MappingContext,
): Promise<AllocationDraft[]> {
  const lineId = text(row, 'orderline_id');
  const batchId = text(row, 'batch_id');
  const line = await ctx.lookup(ORDER_LINES, { id: lineId });
  if (!line) {
    throw new Error(
      `allocation ${text(row, 'id')} refers to order line ${lineId}, which is not known`,
    );
  }
  const batch = await ctx.lookup(BATCHES, { id: batchId });
  if (!batch) {
    throw new Error(`allocation ${text(row, 'id')} refers to batch ${batchId}, which is not known`);
  }
  const data = {
    sku: text(line, 'sku'),
    orderid: text(line, 'orderid'),
    qty: int(line, 'qty'),
    batchref: text(batch, 'reference'),
  };
  return kind === 'allocated'
    ? [{ type: types.Allocated, data }]
    : [{ type: types.Deallocated, data }];
}
