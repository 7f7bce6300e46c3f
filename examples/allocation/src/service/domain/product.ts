import { Batch } from './batch.js';
import { DomainRuleViolation } from './errors.js';
import type { DomainEvent } from './events.js';
import type { IsoDate, OrderLine } from './order-line.js';

/**
 * The aggregate: one sku, its batches, and every order line ever seen for it (allocated lines live
 * in their batch, the others here). All changes to a sku's stock go through it, and `version` is
 * the book's optimistic-concurrency counter.
 *
 * Two kinds of methods: the book's decisions (`allocate`, `deallocate`, `changeBatchQuantity`),
 * and `record*` methods that apply what the system of record already decided.
 */
export class Product {
  readonly sku: string;
  version: number;
  readonly batches: Batch[];
  readonly #unallocated: Map<string, OrderLine>;
  /** Raised since the last collection, in order; the unit of work hands them to the bus. */
  readonly events: DomainEvent[] = [];

  constructor(
    sku: string,
    version = 0,
    batches: readonly Batch[] = [],
    unallocated: readonly OrderLine[] = [],
  ) {
    this.sku = sku;
    this.version = version;
    this.batches = [...batches];
    this.#unallocated = new Map(unallocated.map((line) => [line.orderid, line]));
  }

  /** A new product (raises ProductCreated); the constructor only rebuilds a stored one. */
  static create(sku: string, version = 0): Product {
    const product = new Product(sku, version);
    product.events.push({ type: 'ProductCreated', sku });
    return product;
  }

  /** Lines known to the product but allocated to no batch (after a deallocation). */
  get unallocatedLines(): readonly OrderLine[] {
    return [...this.#unallocated.values()];
  }

  /** Batches in allocation order: warehouse first, then earliest eta, then reference. */
  batchesInAllocationOrder(): Batch[] {
    return [...this.batches].sort(Batch.compare);
  }

  batch(ref: string): Batch | undefined {
    return this.batches.find((batch) => batch.reference === ref);
  }

  /** The batch holding the order's line for this sku, if it is allocated. */
  batchOfOrder(orderid: string): Batch | undefined {
    return this.batches.find((batch) => batch.holds(orderid));
  }

  /** A new batch by command (the service owns the writes): one more version, as legacy counts. */
  createBatch(ref: string, qty: number, eta: IsoDate | null): Batch {
    const batch = this.addBatch(ref, qty, eta);
    this.version += 1;
    return batch;
  }

  addBatch(ref: string, qty: number, eta: IsoDate | null): Batch {
    if (this.batch(ref))
      throw new DomainRuleViolation('batch_exists', `Batch ${ref} already exists`);
    const batch = new Batch(ref, this.sku, qty, eta);
    this.batches.push(batch);
    this.events.push({ type: 'BatchCreated', sku: this.sku, ref, qty, eta });
    return batch;
  }

  /**
   * The book's allocation: the first batch in allocation order that can take the whole line. An
   * order whose line is already allocated keeps its batch (idempotent). Returns the batch reference,
   * or null (and an OutOfStock event) when no batch can take the line.
   */
  allocate(line: OrderLine): string | null {
    this.#checkSku(line.sku);
    const current = this.batchOfOrder(line.orderid);
    if (current) return current.reference;
    const batch = this.batchesInAllocationOrder().find((b) => b.canAllocate(line));
    if (!batch) {
      this.events.push({ type: 'OutOfStock', sku: this.sku, orderid: line.orderid });
      return null;
    }
    batch.allocate(line);
    this.#unallocated.delete(line.orderid);
    this.version += 1;
    this.events.push({ type: 'Allocated', ...line, batchref: batch.reference });
    return batch.reference;
  }

  /** Takes the order's line off its batch; the line stays known, unallocated. Returns the batch. */
  deallocate(orderid: string): string {
    const batch = this.batchOfOrder(orderid);
    const line = batch?.deallocate(orderid);
    if (!batch || !line) {
      throw new DomainRuleViolation(
        'line_not_allocated',
        `No allocated line for order ${orderid} and sku ${this.sku}`,
      );
    }
    this.#unallocated.set(orderid, line);
    this.version += 1;
    this.events.push({ type: 'Deallocated', ...line, batchref: batch.reference });
    return batch.reference;
  }

  /**
   * The book's quantity change: when the batch no longer covers its allocations, the most recently
   * allocated lines are taken back until it does (they stay known, unallocated).
   */
  changeBatchQuantity(ref: string, qty: number): OrderLine[] {
    const batch = this.#batchOrThrow(ref);
    if (batch.purchasedQuantity === qty) return [];
    batch.changePurchasedQuantity(qty);
    this.events.push({ type: 'BatchQuantityChanged', sku: this.sku, ref, qty });
    const taken: OrderLine[] = [];
    while (batch.availableQuantity < 0) {
      const line = batch.deallocateOne();
      if (!line) break;
      taken.push(line);
      this.#unallocated.set(line.orderid, line);
      this.events.push({ type: 'Deallocated', ...line, batchref: ref });
    }
    this.version += 1;
    return taken;
  }

  /** Sets the expected arrival date. Returns false when it was already that date. */
  changeBatchEta(ref: string, eta: IsoDate | null): boolean {
    const batch = this.#batchOrThrow(ref);
    if (batch.eta === eta) return false;
    batch.eta = eta;
    this.events.push({ type: 'BatchEtaChanged', sku: this.sku, ref, eta });
    return true;
  }

  /**
   * A batch the system of record created. Recorded again (a replay, or a new snapshot of the
   * source) it states what the batch is now: the quantity and eta follow it, nothing else changes.
   */
  recordBatch(ref: string, qty: number, eta: IsoDate | null): boolean {
    if (!this.batch(ref)) {
      this.addBatch(ref, qty, eta);
      return true;
    }
    const quantityChanged = this.recordBatchQuantity(ref, qty);
    const etaChanged = this.changeBatchEta(ref, eta);
    return quantityChanged || etaChanged;
  }

  /**
   * A quantity the system of record set. Unlike {@link changeBatchQuantity} nothing is deallocated
   * here: the source reports the deallocations it made as their own facts, right after this one.
   */
  recordBatchQuantity(ref: string, qty: number): boolean {
    const batch = this.#batchOrThrow(ref);
    if (batch.purchasedQuantity === qty) return false;
    batch.changePurchasedQuantity(qty);
    this.events.push({ type: 'BatchQuantityChanged', sku: this.sku, ref, qty });
    return true;
  }

  /**
   * An allocation the system of record made, kept even if this model would have chosen another
   * batch or finds the batch short (the source is authoritative until it is switched off). The same
   * allocation recorded again changes nothing; another allocation of an allocated line is refused.
   */
  recordAllocation(line: OrderLine, batchref: string): boolean {
    this.#checkSku(line.sku);
    const batch = this.#batchOrThrow(batchref);
    const current = this.batchOfOrder(line.orderid);
    if (current) {
      if (current === batch && current.allocationOf(line.orderid)?.qty === line.qty) return false;
      throw new DomainRuleViolation(
        'line_already_allocated',
        `Order ${line.orderid} already has a line for sku ${this.sku} allocated to batch ${current.reference}`,
      );
    }
    batch.record(line);
    this.#unallocated.delete(line.orderid);
    this.events.push({ type: 'Allocated', ...line, batchref });
    return true;
  }

  /** A deallocation the system of record made: the line must be allocated to that batch. */
  recordDeallocation(orderid: string, batchref: string): void {
    const batch = this.#batchOrThrow(batchref);
    const line = batch.deallocate(orderid);
    if (!line) {
      throw new DomainRuleViolation(
        'line_not_allocated',
        `No allocated line for order ${orderid} and sku ${this.sku} in batch ${batchref}`,
      );
    }
    this.#unallocated.set(orderid, line);
    this.events.push({ type: 'Deallocated', ...line, batchref });
  }

  /** True when a fact at `version` is older than what the product already reflects. */
  isStale(version: number | undefined): boolean {
    return version !== undefined && version < this.version;
  }

  /** Moves the version forward to a recorded fact's version (never back). */
  observeVersion(version: number | undefined): void {
    if (version !== undefined && version > this.version) this.version = version;
  }

  #batchOrThrow(ref: string): Batch {
    const batch = this.batch(ref);
    if (!batch) {
      throw new DomainRuleViolation('unknown_batch', `Unknown batch ${ref} for sku ${this.sku}`);
    }
    return batch;
  }

  #checkSku(sku: string): void {
    if (sku !== this.sku) {
      throw new DomainRuleViolation(
        'wrong_sku',
        `Order line for sku ${sku} sent to product ${this.sku}`,
      );
    }
  }
}
