import { columns } from '../columns/index.js';
import { defineMapper } from '../mapping/define-mapper.js';
import type { EventDraft, MappingContext, RowChange } from '../mapping/types.js';
import { shopCatalog, type ShopCatalog } from './shop-catalog.fixture.js';

export const CUSTOMERS = 'public.customers';
export const ORDERS = 'public.orders';
const { text, numeric, timestamptz, array } = columns;
type Draft = EventDraft<ShopCatalog>;
const types = shopCatalog.types;

/** The specs' mapper: customers and orders rows become Customer events, keyed by customer id. */
export const shopMapper = defineMapper(shopCatalog, {
  tables: [CUSTOMERS, ORDERS],
  fullIdentityTables: [CUSTOMERS, ORDERS],
  async mapChange(change, ctx) {
    switch (change.table) {
      case CUSTOMERS:
        return customer(change);
      case ORDERS:
        return order(change, ctx);
      default:
        throw new Error(`table ${change.table} is captured but has no mapping`);
    }
  },
});

function customer(change: RowChange): Draft[] {
  switch (change.kind) {
    case 'insert': {
      const { row } = change;
      return [
        {
          type: types.CustomerRegistered,
          data: {
            customerId: text(row, 'id'),
            email: text(row, 'email'),
            name: text(row, 'name'),
            registeredAt: timestamptz(row, 'registered_at'),
          },
        },
      ];
    }
    case 'update':
      return change.old && text(change.old, 'name') !== text(change.row, 'name')
        ? [
            {
              type: types.CustomerRenamed,
              data: { customerId: text(change.row, 'id'), name: text(change.row, 'name') },
            },
          ]
        : [];
    case 'delete':
      throw new Error(`customer ${text(change.old, 'id')} was deleted: the shop has no such event`);
    default: {
      const never: never = change;
      throw new Error(`unknown change ${JSON.stringify(never)}`);
    }
  }
}

async function order(change: RowChange, ctx: MappingContext): Promise<Draft[]> {
  if (change.kind === 'delete') return [];
  const { row } = change;
  const customerId = text(row, 'customer_id');
  const orderRef = text(row, 'reference');
  if (change.kind === 'update') {
    const status = text(row, 'status');
    return change.old && text(change.old, 'status') !== status
      ? [{ type: types.OrderStatusChanged, data: { customerId, orderRef, status } }]
      : [];
  }
  const owner = await ctx.lookup(CUSTOMERS, { id: customerId });
  if (!owner)
    throw new Error(`order ${orderRef} refers to customer ${customerId}, who is not known`);
  return [
    {
      type: types.OrderPlaced,
      data: {
        customerId,
        customerEmail: text(owner, 'email'),
        orderRef,
        total: numeric(row, 'total'),
        tags: array(text)(row, 'tags'),
      },
    },
  ];
}
