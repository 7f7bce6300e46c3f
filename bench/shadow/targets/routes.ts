import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The path every setup is measured on (the last of ten routes, as in the proxy bench). */
export const BENCH_PATH = '/products/SKU-7/availability';

/**
 * The proxy bench's ten-route table with the measured route in `mode`, its candidate at
 * `candidateUrl`, comparing a `sample` share of requests.
 */
export function shadowConfig(
  dir: string,
  name: string,
  mode: 'legacy' | 'shadow',
  legacyUrl: string,
  candidateUrl: string,
  sample = 1,
): string {
  const routes = [
    ['orders', '/orders/:id', 'POST'],
    ['order-lines', '/orders/:id/lines/**', 'GET'],
    ['customers', '/customers/:id', 'GET'],
    ['cart', '/cart/**', 'GET'],
    ['search', '/search', 'GET'],
    ['allocate', '/products/:sku/allocate', 'POST'],
    ['prices', '/products/:sku/prices', 'GET'],
    ['reviews', '/products/:sku/reviews/**', 'GET'],
    ['stock-events', '/stock/events', 'GET'],
  ];
  const text = `upstreams:
  legacy: ${legacyUrl}
  new: ${candidateUrl}
routes:
${routes.map(([id, path, method]) => `  - id: ${id}\n    match: { path: ${path}, methods: [${method}] }\n    mode: legacy`).join('\n')}
  - id: availability
    match: { path: /products/:sku/availability, methods: [GET] }
    mode: ${mode}
${sample === 1 ? '' : `    shadow: { sample: ${sample} }\n`}`;
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, text);
  return file;
}
