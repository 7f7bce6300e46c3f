import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The path every setup is measured on. */
export const BENCH_PATH = '/products/SKU-7/availability';

/** Nine routes the measured request is matched against first, in legacy mode (YAML items). */
export const LEADING_ROUTES = [
  ['orders', '/orders/:id', 'POST'],
  ['order-lines', '/orders/:id/lines/**', 'GET'],
  ['customers', '/customers/:id', 'GET'],
  ['cart', '/cart/**', 'GET'],
  ['search', '/search', 'GET'],
  ['allocate', '/products/:sku/allocate', 'POST'],
  ['prices', '/products/:sku/prices', 'GET'],
  ['reviews', '/products/:sku/reviews/**', 'GET'],
  ['stock-events', '/stock/events', 'GET'],
]
  .map(
    ([id, path, method]) =>
      `  - id: ${id}\n    match: { path: ${path}, methods: [${method}] }\n    mode: legacy`,
  )
  .join('\n');

/**
 * A realistic route table: ten routes, the benchmarked request matching the last one (the worst
 * case of first-match scanning), in legacy mode as the budget requires.
 */
export function stranglerConfig(dir: string, upstreamUrl: string): string {
  const text = `upstreams:
  legacy: ${upstreamUrl}
  new: ${upstreamUrl}
routes:
${LEADING_ROUTES}
  - id: availability
    match: { path: /products/:sku/availability, methods: [GET] }
    mode: legacy
`;
  const file = join(dir, 'routes.yaml');
  writeFileSync(file, text);
  return file;
}
