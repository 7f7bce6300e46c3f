/** A calendar date `YYYY-MM-DD` (no time, no zone). */
export type IsoDate = string;

/** A customer's order line for one product: the book's OrderLine value object. */
export interface OrderLine {
  readonly orderid: string;
  readonly sku: string;
  /** Units ordered, integer > 0. */
  readonly qty: number;
}
