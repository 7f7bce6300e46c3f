import { fields } from '@strangler/event-schemas';
import { z } from 'zod';

const { integerAtLeast, isoDateOrNull, nonEmptyString } = fields;

// The `data` schemas of the allocation events, one per event and version, named after the version
// they belong to so that a v2 can sit next to its v1. Flat, JSON-only objects: no z.date(), no
// transforms, so JSON Schema export works on every one of them.

const sku = () =>
  nonEmptyString().meta({ description: 'Stock-keeping unit: the Product id and Kafka key.' });
const productVersion = () =>
  integerAtLeast(0).optional().meta({
    description: "The Product's version number after the change, when the source knows it.",
  });
const ref = (description: string) => nonEmptyString().meta({ description });
const orderid = () => nonEmptyString().meta({ description: 'The order the line belongs to.' });
const lineQty = () => integerAtLeast(1).meta({ description: 'Quantity of the order line (> 0).' });

export const productCreatedV1Data = z.object({ sku: sku(), version: productVersion() });

export const batchCreatedV1Data = z.object({
  ref: ref('Batch reference, unique across products.'),
  sku: sku(),
  qty: integerAtLeast(0).meta({ description: 'Purchased quantity (>= 0).' }),
  eta: isoDateOrNull().meta({ description: 'Expected arrival date; null when already in stock.' }),
  version: productVersion(),
});

export const batchQuantityChangedV1Data = z.object({
  ref: ref('Batch reference.'),
  sku: sku(),
  qty: integerAtLeast(0).meta({ description: 'The new purchased quantity (>= 0).' }),
  version: productVersion(),
});

export const batchEtaChangedV1Data = z.object({
  ref: ref('Batch reference.'),
  sku: sku(),
  eta: isoDateOrNull().meta({
    description: 'The new arrival date; null when the stock has arrived.',
  }),
  version: productVersion(),
});

export const allocatedV1Data = z.object({
  orderid: orderid(),
  sku: sku(),
  qty: lineQty(),
  batchref: ref('The batch the line was allocated to.'),
  version: productVersion(),
});

export const deallocatedV1Data = z.object({
  orderid: orderid(),
  sku: sku(),
  qty: lineQty(),
  batchref: ref('The batch the line was allocated to until now.'),
  version: productVersion(),
});
