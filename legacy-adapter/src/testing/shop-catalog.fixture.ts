import { defineCatalog, defineEvent, fields } from '@strangler/event-schemas';
import { z } from 'zod';

// The specs' own domain (a shop), so the adapter is tested without the allocation example: the
// package knows no domain, users bring theirs.

const { nonEmptyString, rfc3339Timestamp } = fields;
const customerId = () => nonEmptyString();

export const customerRegisteredV1 = defineEvent({
  type: 'com.example.shop.customer_registered.v1',
  name: 'CustomerRegistered',
  aggregate: 'Customer',
  description: 'A customer registered.',
  schema: z.object({
    customerId: customerId(),
    email: nonEmptyString(),
    name: nonEmptyString(),
    registeredAt: rfc3339Timestamp(),
  }),
  aggregateId: 'customerId',
  example: {
    customerId: '7',
    email: 'ada@example.com',
    name: 'Ada',
    registeredAt: '2024-05-01T12:00:00.000000Z',
  },
});

export const customerRenamedV1 = defineEvent({
  type: 'com.example.shop.customer_renamed.v1',
  name: 'CustomerRenamed',
  aggregate: 'Customer',
  description: 'A customer changed their name.',
  schema: z.object({ customerId: customerId(), name: nonEmptyString() }),
  aggregateId: 'customerId',
  example: { customerId: '7', name: 'Ada L.' },
});

export const orderPlacedV1 = defineEvent({
  type: 'com.example.shop.order_placed.v1',
  name: 'OrderPlaced',
  aggregate: 'Customer',
  description: 'A customer placed an order.',
  schema: z.object({
    customerId: customerId(),
    customerEmail: nonEmptyString(),
    orderRef: nonEmptyString(),
    total: z.string().regex(/^\d+\.\d{2}$/),
    tags: z.array(z.string()),
  }),
  aggregateId: 'customerId',
  example: {
    customerId: '7',
    customerEmail: 'ada@example.com',
    orderRef: 'o-1',
    total: '12.50',
    tags: ['gift'],
  },
});

export const orderStatusChangedV1 = defineEvent({
  type: 'com.example.shop.order_status_changed.v1',
  name: 'OrderStatusChanged',
  aggregate: 'Customer',
  description: "An order's status changed.",
  schema: z.object({
    customerId: customerId(),
    orderRef: nonEmptyString(),
    status: nonEmptyString(),
  }),
  aggregateId: 'customerId',
  example: { customerId: '7', orderRef: 'o-1', status: 'shipped' },
});

export const tablesEmptiedV1 = defineEvent({
  type: 'com.example.shop.tables_emptied.v1',
  name: 'TablesEmptied',
  aggregate: 'Shop',
  description: 'Tables of the shop were truncated.',
  schema: z.object({ tables: z.array(nonEmptyString()) }),
  aggregateId: () => 'shop',
  example: { tables: ['public.orders'] },
});

export const shopCatalog = defineCatalog(
  [customerRegisteredV1, customerRenamedV1, orderPlacedV1, orderStatusChangedV1, tablesEmptiedV1],
  { name: 'shop', description: 'Events of the example shop of the legacy-adapter specs.' },
);

export type ShopCatalog = typeof shopCatalog;
