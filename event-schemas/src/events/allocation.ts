import { defineEvent } from '../define.js';
import type {
  AllocatedV1,
  BatchCreatedV1,
  BatchEtaChangedV1,
  BatchQuantityChangedV1,
  DeallocatedV1,
  ProductCreatedV1,
} from '../types.js';
import {
  allocatedV1Data,
  batchCreatedV1Data,
  batchEtaChangedV1Data,
  batchQuantityChangedV1Data,
  deallocatedV1Data,
  productCreatedV1Data,
} from './allocation-data.js';

// The allocation domain of "Architecture Patterns with Python": the Product aggregate (id = sku)
// owns its batches and the order lines allocated to them, so every event is keyed by sku.

const aggregate = 'Product';
const aggregateId = (data: { sku: string }): string => data.sku;

export const productCreatedV1 = defineEvent<ProductCreatedV1>({
  type: 'io.strangler.allocation.product_created.v1',
  name: 'ProductCreated',
  version: 1,
  aggregate,
  description: 'A product (sku) now exists.',
  schema: productCreatedV1Data,
  aggregateId,
  example: { sku: 'RED-CHAIR', version: 0 },
});

export const batchCreatedV1 = defineEvent<BatchCreatedV1>({
  type: 'io.strangler.allocation.batch_created.v1',
  name: 'BatchCreated',
  version: 1,
  aggregate,
  description: 'A batch of stock was added for a product.',
  schema: batchCreatedV1Data,
  aggregateId,
  example: { ref: 'batch-001', sku: 'RED-CHAIR', qty: 100, eta: '2024-06-01', version: 1 },
});

export const batchQuantityChangedV1 = defineEvent<BatchQuantityChangedV1>({
  type: 'io.strangler.allocation.batch_quantity_changed.v1',
  name: 'BatchQuantityChanged',
  version: 1,
  aggregate,
  description: "A batch's purchased quantity was changed.",
  schema: batchQuantityChangedV1Data,
  aggregateId,
  example: { ref: 'batch-001', sku: 'RED-CHAIR', qty: 80, version: 2 },
});

export const batchEtaChangedV1 = defineEvent<BatchEtaChangedV1>({
  type: 'io.strangler.allocation.batch_eta_changed.v1',
  name: 'BatchEtaChanged',
  version: 1,
  aggregate,
  description: "A batch's expected arrival date was changed.",
  schema: batchEtaChangedV1Data,
  aggregateId,
  example: { ref: 'batch-001', sku: 'RED-CHAIR', eta: null, version: 3 },
});

export const allocatedV1 = defineEvent<AllocatedV1>({
  type: 'io.strangler.allocation.allocated.v1',
  name: 'Allocated',
  version: 1,
  aggregate,
  description: 'An order line was allocated to a batch.',
  schema: allocatedV1Data,
  aggregateId,
  example: { orderid: 'order-42', sku: 'RED-CHAIR', qty: 10, batchref: 'batch-001', version: 4 },
});

export const deallocatedV1 = defineEvent<DeallocatedV1>({
  type: 'io.strangler.allocation.deallocated.v1',
  name: 'Deallocated',
  version: 1,
  aggregate,
  description: 'An order line was taken off the batch it was allocated to.',
  schema: deallocatedV1Data,
  aggregateId,
  example: { orderid: 'order-42', sku: 'RED-CHAIR', qty: 10, batchref: 'batch-001', version: 5 },
});
