import type { IsoDate } from './order-line.js';

/**
 * What happened to a Product, raised by the aggregate and dispatched by the message bus after the
 * command that raised them. These are the new model's own events, not the integration events on
 * Kafka (those are translated into commands at the edge).
 */
export type DomainEvent =
  | { readonly type: 'ProductCreated'; readonly sku: string }
  | {
      readonly type: 'BatchCreated';
      readonly sku: string;
      readonly ref: string;
      readonly qty: number;
      readonly eta: IsoDate | null;
    }
  | {
      readonly type: 'BatchQuantityChanged';
      readonly sku: string;
      readonly ref: string;
      readonly qty: number;
    }
  | {
      readonly type: 'BatchEtaChanged';
      readonly sku: string;
      readonly ref: string;
      readonly eta: IsoDate | null;
    }
  | {
      readonly type: 'Allocated';
      readonly orderid: string;
      readonly sku: string;
      readonly qty: number;
      readonly batchref: string;
    }
  | {
      readonly type: 'Deallocated';
      readonly orderid: string;
      readonly sku: string;
      readonly qty: number;
      readonly batchref: string;
    }
  | { readonly type: 'OutOfStock'; readonly sku: string; readonly orderid: string };

export type DomainEventType = DomainEvent['type'];
