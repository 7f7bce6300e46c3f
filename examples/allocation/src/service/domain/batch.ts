import { compareAllocationOrder } from './allocation-order.js';
import type { IsoDate, OrderLine } from './order-line.js';

/**
 * A batch of stock for one sku: purchased quantity, expected arrival (null: in the warehouse) and
 * the order lines allocated to it, kept in allocation order so the most recent can be taken back
 * first.
 */
export class Batch {
  readonly reference: string;
  readonly sku: string;
  eta: IsoDate | null;
  #purchasedQuantity: number;
  readonly #allocations: OrderLine[];
  #allocatedQuantity: number;

  constructor(
    reference: string,
    sku: string,
    purchasedQuantity: number,
    eta: IsoDate | null,
    allocations: readonly OrderLine[] = [],
  ) {
    this.reference = reference;
    this.sku = sku;
    this.eta = eta;
    this.#purchasedQuantity = purchasedQuantity;
    this.#allocations = [...allocations];
    this.#allocatedQuantity = allocations.reduce((sum, line) => sum + line.qty, 0);
  }

  get purchasedQuantity(): number {
    return this.#purchasedQuantity;
  }

  get allocatedQuantity(): number {
    return this.#allocatedQuantity;
  }

  /** Units not yet allocated. Negative only when recorded facts over-allocated the batch. */
  get availableQuantity(): number {
    return this.#purchasedQuantity - this.#allocatedQuantity;
  }

  /** The allocated lines, oldest allocation first. */
  get allocations(): readonly OrderLine[] {
    return this.#allocations;
  }

  /** The book's rule: same sku and enough units left for the whole line (lines are never split). */
  canAllocate(line: OrderLine): boolean {
    return line.sku === this.sku && this.availableQuantity >= line.qty;
  }

  /** Allocates the line when it fits; allocating a line the batch already holds changes nothing. */
  allocate(line: OrderLine): boolean {
    if (this.holds(line.orderid) || !this.canAllocate(line)) return false;
    this.record(line);
    return true;
  }

  /**
   * Adds the line whatever is left: for allocations another system already decided (facts are
   * recorded, not re-judged). Use {@link allocate} to decide.
   */
  record(line: OrderLine): void {
    this.#allocations.push(line);
    this.#allocatedQuantity += line.qty;
  }

  /** Takes the order's line off the batch; undefined when the batch does not hold it. */
  deallocate(orderid: string): OrderLine | undefined {
    const index = this.#allocations.findIndex((line) => line.orderid === orderid);
    if (index < 0) return undefined;
    const [line] = this.#allocations.splice(index, 1);
    if (line) this.#allocatedQuantity -= line.qty;
    return line;
  }

  /** Takes back the most recently allocated line (last in, first out). */
  deallocateOne(): OrderLine | undefined {
    const line = this.#allocations.pop();
    if (line) this.#allocatedQuantity -= line.qty;
    return line;
  }

  holds(orderid: string): boolean {
    return this.#allocations.some((line) => line.orderid === orderid);
  }

  allocationOf(orderid: string): OrderLine | undefined {
    return this.#allocations.find((line) => line.orderid === orderid);
  }

  changePurchasedQuantity(qty: number): void {
    this.#purchasedQuantity = qty;
  }

  /** Allocation order (see {@link compareAllocationOrder}), for `Array.prototype.sort`. */
  static compare(a: Batch, b: Batch): number {
    return compareAllocationOrder(a, b);
  }
}
