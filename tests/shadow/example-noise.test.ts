// Realistic noise: the example monolith stamps every answer with `generatedAt`/`requestId` (and
// `x-generated-at`/`x-request-id`). Two instances of it on one database answer alike except for
// that noise, so with no ignore rules at all, learned noise must explain every difference and
// suggest exactly those fields.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer } from '@strangler/legacy-monolith';
import { startProxy, type StartedProxy } from '@strangler/proxy';
import { testDatabase, uniqueName } from '@strangler/tests/harness';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, eventually, httpServer, tempDir } from './support.js';

const silent = pino({ level: 'silent' });

const config = (legacy: string, candidate: string) => `upstreams:
  legacy: ${legacy}
  new: ${candidate}
shadow: { maxLoopUtilization: 1 }
routes:
  - id: availability
    match: { path: /products/:sku/availability, methods: [GET] }
    mode: shadow
    shadow:
      compareHeaders: [content-type, x-request-id, x-generated-at]
      learnNoise: { sample: 1 }
`;

describe('learned noise on the example monolith', () => {
  let proxy: StartedProxy;
  let legacyUrl: string;
  let candidateUrl: string;
  const sku = uniqueName('RUG').toUpperCase();
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    const db = await testDatabase('shadow_noise');
    const legacy = await startServer({
      databaseUrl: db.url,
      port: 0,
      host: '127.0.0.1',
      logger: silent,
    });
    closers.push(() => legacy.close());
    const candidate = await startServer({
      databaseUrl: db.url,
      port: 0,
      host: '127.0.0.1',
      logger: silent,
      migrate: false,
    });
    closers.push(() => candidate.close());
    const seeded = await fetch(`${legacy.url}/batches`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ref: `${sku}-wh`, sku, qty: 20, eta: null }),
    });
    expect(seeded.status).toBe(201);
    const dir = await tempDir();
    closers.push(() => dir.cleanup());
    legacyUrl = legacy.url;
    candidateUrl = candidate.url;
    const file = join(dir.dir, 'routes.yaml');
    await writeFile(file, config(legacy.url, candidate.url));
    proxy = await startProxy({
      configFile: file,
      port: 0,
      host: '127.0.0.1',
      adminPort: 0,
      adminToken: ADMIN_TOKEN,
      logger: silent,
    });
    closers.push(() => proxy.close());
  });
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
  });

  it('explains generatedAt, requestId and their headers as noise and suggests ignoring them', async () => {
    for (let qty = 1; qty <= 15; qty++) {
      const res = await fetch(`${proxy.url}/products/${sku}/availability?qty=${qty}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ sku, requestedQty: qty });
    }
    await eventually(() => expect(proxy.shadow.report('availability')?.totals.compared).toBe(15));
    const report = proxy.shadow.report('availability');
    expect(report?.totals).toMatchObject({ matched: 15, mismatched: 0, matchRate: 1 });
    expect(report?.totals.explainedByNoise).toBeGreaterThanOrEqual(14);

    const noise = proxy.shadow.noise('availability');
    expect(noise?.pairs).toBe(15);
    const rules = noise?.suggestions.map((s) => s.rule).sort();
    expect(rules).toEqual([
      '/generatedAt',
      '/requestId',
      'header:x-generated-at',
      'header:x-request-id',
    ]);
    const requestId = noise?.suggestions.find((s) => s.rule === '/requestId');
    expect(requestId).toMatchObject({ noiseRate: 1, inMismatches: 15, hidesAlone: 0 });
    // Every raw difference was noise: the four rules together would hide all of them.
    expect(noise?.hidesTogether).toBe(noise?.mismatches);
    expect(noise?.mismatches).toBe(15);
  });

  it('still reports a real difference that noise does not explain', async () => {
    // The candidate behind a wrapper that miscounts one figure: generatedAt and requestId stay
    // noise, totalAvailable is a real mismatch.
    const wrapper = await httpServer(async (req, res) => {
      const upstream = await fetch(`${candidateUrl}${req.url}`, {
        headers: { 'x-request-id': String(req.headers['x-request-id']) },
      });
      const body = (await upstream.json()) as Record<string, unknown>;
      body.totalAvailable = Number(body.totalAvailable) + 1;
      res.writeHead(upstream.status, {
        'content-type': upstream.headers.get('content-type') ?? '',
        'x-request-id': upstream.headers.get('x-request-id') ?? '',
        'x-generated-at': upstream.headers.get('x-generated-at') ?? '',
      });
      res.end(JSON.stringify(body));
    });
    closers.push(() => wrapper.close());
    const dir = await tempDir();
    closers.push(() => dir.cleanup());
    const file = join(dir.dir, 'routes.yaml');
    await writeFile(file, config(legacyUrl, wrapper.url));
    const broken = await startProxy({
      configFile: file,
      port: 0,
      host: '127.0.0.1',
      adminPort: 0,
      adminToken: ADMIN_TOKEN,
      logger: silent,
    });
    closers.push(() => broken.close());
    for (let qty = 1; qty <= 10; qty++)
      await (await fetch(`${broken.url}/products/${sku}/availability?qty=${qty}`)).text();
    await eventually(() => expect(broken.shadow.report('availability')?.totals.compared).toBe(10));
    expect(broken.shadow.report('availability')?.totals).toMatchObject({
      matched: 0,
      mismatched: 10,
    });
    const [latest] = broken.shadow.mismatches('availability');
    expect(latest?.diff).toEqual([
      { pointer: '/totalAvailable', kind: 'value', legacy: 20, candidate: 21 },
    ]);
    const rules = broken.shadow.noise('availability')?.suggestions.map((s) => s.rule);
    expect(rules).not.toContain('/totalAvailable');
    expect(rules).toContain('/generatedAt');
  });
});
