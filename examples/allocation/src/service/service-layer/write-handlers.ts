import { DomainRuleViolation, Product, type IsoDate, type OrderLine } from '../domain/index.js';
import type { AllocationUnitOfWork } from './unit-of-work.js';

// The commands the service takes once it owns the writes: the book's use cases, answering what
// the legacy system answers. They never commit: the kit's command runner does, with their events.

export async function allocate(
  uow: AllocationUnitOfWork,
  line: OrderLine,
): Promise<{ batchref: string }> {
  const product = await productOrRefuse(uow, line.sku);
  const batchref = product.allocate(line);
  if (batchref === null) {
    throw new DomainRuleViolation('out_of_stock', `Out of stock for sku ${line.sku}`);
  }
  return { batchref };
}

export async function deallocate(
  uow: AllocationUnitOfWork,
  orderid: string,
  sku: string,
): Promise<{ orderid: string; sku: string; batchref: string }> {
  const product = await productOrRefuse(uow, sku);
  return { orderid, sku, batchref: product.deallocate(orderid) };
}

export async function addBatch(
  uow: AllocationUnitOfWork,
  batch: { ref: string; sku: string; qty: number; eta: IsoDate | null },
): Promise<{ ref: string; sku: string; qty: number; eta: IsoDate | null }> {
  // References are unique across products; the aggregate only sees its own batches.
  if ((await uow.products.skuOfBatch(batch.ref)) !== undefined) {
    throw new DomainRuleViolation('batch_exists', `Batch ${batch.ref} already exists`);
  }
  let product = await uow.products.get(batch.sku);
  if (!product) {
    product = Product.create(batch.sku);
    uow.products.add(product);
  }
  product.createBatch(batch.ref, batch.qty, batch.eta);
  return { ...batch };
}

export async function changeBatchQuantity(
  uow: AllocationUnitOfWork,
  ref: string,
  qty: number,
): Promise<{
  ref: string;
  sku: string;
  qty: number;
  eta: IsoDate | null;
  deallocated: { orderid: string; sku: string; qty: number }[];
}> {
  const sku = await uow.products.skuOfBatch(ref);
  const product = sku === undefined ? undefined : await uow.products.get(sku);
  const batch = product?.batch(ref);
  if (!product || !batch) throw new DomainRuleViolation('unknown_batch', `Unknown batch ${ref}`);
  const taken = product.changeBatchQuantity(ref, qty);
  return {
    ref,
    sku: product.sku,
    qty,
    eta: batch.eta,
    deallocated: taken.map((line) => ({ orderid: line.orderid, sku: line.sku, qty: line.qty })),
  };
}

async function productOrRefuse(uow: AllocationUnitOfWork, sku: string): Promise<Product> {
  const product = await uow.products.get(sku);
  if (!product) throw new DomainRuleViolation('unknown_product', `Invalid sku ${sku}`);
  return product;
}
