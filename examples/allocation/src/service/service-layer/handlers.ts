import {
  DomainRuleViolation,
  Product,
  type Command,
  type CommandType,
  type RecordAllocation,
  type RecordBatch,
  type RecordBatchEta,
  type RecordBatchQuantity,
  type RecordDeallocation,
  type RecordProduct,
} from '../domain/index.js';
import type { AllocationUnitOfWork } from './unit-of-work.js';

/** What a command did: `unchanged` when the model already said so, `stale` when it was skipped. */
export type HandlerResult = 'applied' | 'unchanged' | 'stale';

export type CommandHandler<C extends Command = Command> = (
  command: C,
  uow: AllocationUnitOfWork,
) => Promise<HandlerResult>;

export type CommandHandlers = {
  [K in CommandType]: CommandHandler<Extract<Command, { type: K }>>;
};

/** The handlers of the recorded facts. They never commit: the kit's consumer does, after them. */
export const commandHandlers: CommandHandlers = {
  RecordProduct: recordProduct,
  RecordBatch: recordBatch,
  RecordBatchQuantity: (cmd: RecordBatchQuantity, uow) =>
    onProduct(uow, cmd, (product) => product.recordBatchQuantity(cmd.ref, cmd.qty)),
  RecordBatchEta: (cmd: RecordBatchEta, uow) =>
    onProduct(uow, cmd, (product) => product.changeBatchEta(cmd.ref, cmd.eta)),
  RecordAllocation: (cmd: RecordAllocation, uow) =>
    onProduct(uow, cmd, (product) =>
      product.recordAllocation({ orderid: cmd.orderid, sku: cmd.sku, qty: cmd.qty }, cmd.batchref),
    ),
  RecordDeallocation: (cmd: RecordDeallocation, uow) =>
    onProduct(uow, cmd, (product) => {
      product.recordDeallocation(cmd.orderid, cmd.batchref);
      return true;
    }),
};

async function recordProduct(
  cmd: RecordProduct,
  uow: AllocationUnitOfWork,
): Promise<HandlerResult> {
  const product = await uow.products.get(cmd.sku);
  if (!product) {
    uow.products.add(Product.create(cmd.sku, cmd.version ?? 0));
    return 'applied';
  }
  if (product.isStale(cmd.version)) return 'stale';
  product.observeVersion(cmd.version);
  return 'unchanged';
}

async function recordBatch(cmd: RecordBatch, uow: AllocationUnitOfWork): Promise<HandlerResult> {
  // References are unique across products; the aggregate only sees its own batches.
  const owner = await uow.products.skuOfBatch(cmd.ref);
  if (owner !== undefined && owner !== cmd.sku) {
    throw new DomainRuleViolation(
      'batch_exists',
      `Batch ${cmd.ref} already exists (for sku ${owner})`,
    );
  }
  let product = await uow.products.get(cmd.sku);
  if (!product) {
    // The source creates the product with its first batch; a missing ProductCreated is no reason
    // to refuse the batch.
    product = Product.create(cmd.sku);
    uow.products.add(product);
  }
  return applyFact(product, cmd, () => product.recordBatch(cmd.ref, cmd.qty, cmd.eta));
}

async function onProduct(
  uow: AllocationUnitOfWork,
  cmd: Command,
  change: (product: Product) => boolean,
): Promise<HandlerResult> {
  const product = await uow.products.get(cmd.sku);
  if (!product) throw new DomainRuleViolation('unknown_product', `Invalid sku ${cmd.sku}`);
  return applyFact(product, cmd, () => change(product));
}

function applyFact(product: Product, cmd: Command, change: () => boolean): HandlerResult {
  if (product.isStale(cmd.version)) return 'stale';
  const changed = change();
  product.observeVersion(cmd.version);
  return changed ? 'applied' : 'unchanged';
}
