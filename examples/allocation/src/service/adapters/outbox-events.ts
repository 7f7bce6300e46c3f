import { allocationCatalog, type AllocationEvent } from '../../catalog/index.js';
import type { DomainEvent } from '../domain/index.js';

type Draft = {
  [E in AllocationEvent as E['type']]: { type: E['type']; data: E['data'] };
}[AllocationEvent['type']];

const types = allocationCatalog.types;

/**
 * The integration events of a command: the model's domain events in the catalog's terms, each
 * with its product's version after the command (the version legacy's own events carry). OutOfStock
 * is not published: the command that raises it is refused.
 */
export function outboxEvents(
  events: readonly DomainEvent[],
  versionOf: (sku: string) => number,
): Draft[] {
  const out: Draft[] = [];
  for (const e of events) {
    const version = versionOf(e.sku);
    switch (e.type) {
      case 'ProductCreated':
        out.push({ type: types.ProductCreated, data: { sku: e.sku, version } });
        break;
      case 'BatchCreated':
        out.push({
          type: types.BatchCreated,
          data: { sku: e.sku, ref: e.ref, qty: e.qty, eta: e.eta, version },
        });
        break;
      case 'BatchQuantityChanged':
        out.push({
          type: types.BatchQuantityChanged,
          data: { sku: e.sku, ref: e.ref, qty: e.qty, version },
        });
        break;
      case 'BatchEtaChanged':
        out.push({
          type: types.BatchEtaChanged,
          data: { sku: e.sku, ref: e.ref, eta: e.eta, version },
        });
        break;
      case 'Allocated':
      case 'Deallocated':
        out.push({
          type: e.type === 'Allocated' ? types.Allocated : types.Deallocated,
          data: { sku: e.sku, orderid: e.orderid, qty: e.qty, batchref: e.batchref, version },
        });
        break;
      case 'OutOfStock':
        break;
      default: {
        const unhandled: never = e;
        throw new Error(`unhandled domain event ${JSON.stringify(unhandled)}`);
      }
    }
  }
  return out;
}
