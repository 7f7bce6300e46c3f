import { allocationCatalog, type AllocationEvent } from '../../catalog/index.js';
import type { Command } from '../domain/index.js';

const types = allocationCatalog.types;

/**
 * The integration event (already decoded, validated and upcast by the kit with the allocation
 * catalog) as the service's own command: the entry point translates and nothing else. `version`
 * is the legacy aggregate version, left out when the event is a replayed dead letter (older than
 * the product by nature, so it must not be skipped as stale).
 */
export function translate(event: AllocationEvent, options: { replay?: boolean } = {}): Command {
  const { version: fromEvent } = event.data;
  const version = options.replay || fromEvent === undefined ? {} : { version: fromEvent };
  switch (event.type) {
    case types.ProductCreated:
      return { type: 'RecordProduct', sku: event.data.sku, ...version };
    case types.BatchCreated: {
      const { ref, sku, qty, eta } = event.data;
      return { type: 'RecordBatch', sku, ref, qty, eta, ...version };
    }
    case types.BatchQuantityChanged: {
      const { ref, sku, qty } = event.data;
      return { type: 'RecordBatchQuantity', sku, ref, qty, ...version };
    }
    case types.BatchEtaChanged: {
      const { ref, sku, eta } = event.data;
      return { type: 'RecordBatchEta', sku, ref, eta, ...version };
    }
    case types.Allocated: {
      const { orderid, sku, qty, batchref } = event.data;
      return { type: 'RecordAllocation', sku, orderid, qty, batchref, ...version };
    }
    case types.Deallocated: {
      const { orderid, sku, qty, batchref } = event.data;
      return { type: 'RecordDeallocation', sku, orderid, qty, batchref, ...version };
    }
    default: {
      const unhandled: never = event;
      throw new Error(`no command for event ${JSON.stringify(unhandled)}`);
    }
  }
}
