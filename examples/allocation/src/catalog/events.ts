import { defineCatalog, defineEvent } from '@strangler/event-schemas';
import {
  allocatedV1Data,
  batchCreatedV1Data,
  batchEtaChangedV1Data,
  batchQuantityChangedV1Data,
  deallocatedV1Data,
  productCreatedV1Data,
} from './data.js';

// The allocation domain of "Architecture Patterns with Python": the Product aggregate (id = sku)
// owns its batches and the order lines allocated to them, so every event is keyed by sku.

const aggregate = 'Product';

export const productCreatedV1 = defineEvent({
  type: 'io.strangler.allocation.product_created.v1',
  name: 'ProductCreated',
  aggregate,
  description: 'A product (sku) now exists.',
  schema: productCreatedV1Data,
  aggregateId: 'sku',
  example: { sku: 'RED-CHAIR', version: 0 },
});

export const batchCreatedV1 = defineEvent({
  type: 'io.strangler.allocation.batch_created.v1',
  name: 'BatchCreated',
  aggregate,
  description: 'A batch of stock was added for a product.',
  schema: batchCreatedV1Data,
  aggregateId: 'sku',
  example: { ref: 'batch-001', sku: 'RED-CHAIR', qty: 100, eta: '2024-06-01', version: 1 },
});

export const batchQuantityChangedV1 = defineEvent({
  type: 'io.strangler.allocation.batch_quantity_changed.v1',
  name: 'BatchQuantityChanged',
  aggregate,
  description: "A batch's purchased quantity was changed.",
  schema: batchQuantityChangedV1Data,
  aggregateId: 'sku',
  example: { ref: 'batch-001', sku: 'RED-CHAIR', qty: 80, version: 2 },
});

export const batchEtaChangedV1 = defineEvent({
  type: 'io.strangler.allocation.batch_eta_changed.v1',
  name: 'BatchEtaChanged',
  aggregate,
  description: "A batch's expected arrival date was changed.",
  schema: batchEtaChangedV1Data,
  aggregateId: 'sku',
  example: { ref: 'batch-001', sku: 'RED-CHAIR', eta: null, version: 3 },
});

export const allocatedV1 = defineEvent({
  type: 'io.strangler.allocation.allocated.v1',
  name: 'Allocated',
  aggregate,
  description: 'An order line was allocated to a batch.',
  schema: allocatedV1Data,
  aggregateId: 'sku',
  example: { orderid: 'order-42', sku: 'RED-CHAIR', qty: 10, batchref: 'batch-001', version: 4 },
});

export const deallocatedV1 = defineEvent({
  type: 'io.strangler.allocation.deallocated.v1',
  name: 'Deallocated',
  aggregate,
  description: 'An order line was taken off the batch it was allocated to.',
  schema: deallocatedV1Data,
  aggregateId: 'sku',
  example: { orderid: 'order-42', sku: 'RED-CHAIR', qty: 10, batchref: 'batch-001', version: 5 },
});

/**
 * Every allocation event in every version ever published. A v2 joins this list with `previous`
 * and `upcast`; its v1 stays, so events already on the topic stay readable.
 */
export const allocationCatalog = defineCatalog(
  [
    productCreatedV1,
    batchCreatedV1,
    batchQuantityChangedV1,
    batchEtaChangedV1,
    allocatedV1,
    deallocatedV1,
  ],
  {
    name: 'allocation',
    description:
      'The allocation domain of "Architecture Patterns with Python" (MADE.com): products, their batches of stock and the order lines allocated to them. Every event is keyed by sku.',
  },
);
