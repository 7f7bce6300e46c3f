import type { IsoDate } from './order-line.js';

/**
 * Commands that record a fact the system of record (today the legacy monolith) already decided.
 * They are applied as they are, not judged again: a recorded allocation is kept even where this
 * model would have chosen another batch. `version` is the aggregate version the fact produced,
 * when the source knows it; a fact older than the product's version is stale and skipped.
 */
interface RecordedFact {
  readonly sku: string;
  readonly version?: number;
}

/** A product (sku) exists. */
export interface RecordProduct extends RecordedFact {
  readonly type: 'RecordProduct';
}

/** A batch of stock was added. */
export interface RecordBatch extends RecordedFact {
  readonly type: 'RecordBatch';
  readonly ref: string;
  readonly qty: number;
  readonly eta: IsoDate | null;
}

/** A batch's purchased quantity was set; the deallocations it caused arrive as their own facts. */
export interface RecordBatchQuantity extends RecordedFact {
  readonly type: 'RecordBatchQuantity';
  readonly ref: string;
  readonly qty: number;
}

/** A batch's expected arrival was set (null: the stock is in the warehouse). */
export interface RecordBatchEta extends RecordedFact {
  readonly type: 'RecordBatchEta';
  readonly ref: string;
  readonly eta: IsoDate | null;
}

/** An order line was allocated to a batch. */
export interface RecordAllocation extends RecordedFact {
  readonly type: 'RecordAllocation';
  readonly orderid: string;
  readonly qty: number;
  readonly batchref: string;
}

/** An order line was taken off its batch (it stays known to the product, unallocated). */
export interface RecordDeallocation extends RecordedFact {
  readonly type: 'RecordDeallocation';
  readonly orderid: string;
  readonly qty: number;
  readonly batchref: string;
}

export type Command =
  | RecordProduct
  | RecordBatch
  | RecordBatchQuantity
  | RecordBatchEta
  | RecordAllocation
  | RecordDeallocation;

export type CommandType = Command['type'];
