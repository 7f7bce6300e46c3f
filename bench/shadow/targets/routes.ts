import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LEADING_ROUTES } from '../../proxy/targets/routes.js';

/** The path every setup is measured on (the last of ten routes, as in the proxy bench). */
export { BENCH_PATH } from '../../proxy/targets/routes.js';

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
  const text = `upstreams:
  legacy: ${legacyUrl}
  new: ${candidateUrl}
routes:
${LEADING_ROUTES}
  - id: availability
    match: { path: /products/:sku/availability, methods: [GET] }
    mode: ${mode}
${sample === 1 ? '' : `    shadow: { sample: ${sample} }\n`}`;
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, text);
  return file;
}
