import { get, notFound, type ReadCacheHandle, type Route } from '@strangler/new-service';
import { availabilityReport, type BatchAvailability } from '../../views.js';
import { identifier, queryQuantity } from './validate.js';

export interface HttpDependencies {
  /** The sku's batches (through the read cache), undefined for an unknown sku. */
  availability: ReadCacheHandle<BatchAvailability[] | undefined>;
}

/**
 * The HTTP entry point: a query for availability, answered exactly as the legacy monolith answers
 * it (its validation messages, its 404, its date semantics). It only translates requests into
 * reads; `/status` and `/healthz` are the kit's.
 */
export function allocationRoutes(deps: HttpDependencies): Route[] {
  return [
    get('/products/:sku/availability', async ({ params, query, locals }) => {
      const sku = identifier(params.sku, 'sku');
      const qty = queryQuantity(query.qty, 'qty', 1);
      const batches = await deps.availability.get(sku);
      if (!batches) throw notFound(`Invalid sku ${sku}`);
      const generatedAt = new Date().toISOString();
      locals.generatedAt = generatedAt;
      return availabilityReport(sku, qty, batches, generatedAt.slice(0, 10));
    }),
  ];
}
