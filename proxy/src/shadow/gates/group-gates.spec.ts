import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { proxyFor } from '../../testing/proxy.js';
import { admin, eventually, send, tempDir, writeConfig } from '../../testing/support.js';
import { startUpstream, type TestUpstream } from '../../testing/upstream.js';
import type { AuditEntry, StartedProxy } from '../../types.js';

/** Answers `{ qty }`; a dry run (the shadow copy of a write) answers the same and keeps nothing. */
const side =
  (qty: (req: IncomingMessage) => number, seen: string[] = []) =>
  (req: IncomingMessage, res: ServerResponse) => {
    seen.push(`${req.method} ${req.url}${req.headers['x-strangler-dry-run'] ? ' dry-run' : ''}`);
    res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ qty: qty(req) }));
  };

describe('group gates', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function start(text: string, upstreams: TestUpstream[]) {
    const dir = await tempDir();
    let config = text;
    upstreams.forEach((u, i) => (config = config.replaceAll(`UPSTREAM${i}`, u.url)));
    const file = await writeConfig(dir.file('routes.yaml'), config);
    const proxy = await proxyFor({ file });
    cleanup.push(async () => {
      await proxy.close();
      for (const u of upstreams) await u.close();
      await dir.cleanup();
    });
    const audit = async () =>
      (await readFile(dir.file('routes.yaml.audit.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as AuditEntry);
    return { proxy, file, audit };
  }

  const compared = (proxy: StartedProxy, route: string) =>
    proxy.shadow.report(route)?.totals.compared ?? 0;

  it("decide on all the group's routes together and switch the group as one", async () => {
    let listQty = 5;
    const { proxy, file, audit } = await start(
      `upstreams:
  legacy: UPSTREAM0
  new: UPSTREAM1
shadow: { maxLoopUtilization: 1 }
groups:
  - id: catalog-reads
    mode: shadow
    gates:
      interval: 1h
      promote: { steps: [new], minSamples: 4, minMatchRate: 0.8, maxP99Ratio: 50, minDuration: 0 }
routes:
  - id: product
    group: catalog-reads
    match: { path: /products/:sku, methods: [GET] }
    shadow: {}
  - id: products
    group: catalog-reads
    match: { path: /products, methods: [GET] }
    shadow: {}
`,
      [
        await startUpstream(side(() => 5)),
        await startUpstream(side((req) => (req.url === '/products' ? listQty : 5))),
      ],
    );
    await send(`${proxy.url}/products/a`);
    await send(`${proxy.url}/products/b`);
    await send(`${proxy.url}/products`);
    await eventually(() => expect(compared(proxy, 'products')).toBe(1));
    await eventually(() => expect(compared(proxy, 'product')).toBe(2));
    expect(await proxy.shadow.evaluateGates('catalog-reads')).toMatchObject({
      lastDecision: 'hold',
      lastReason: expect.stringMatching(/^3 of 4 samples/),
    });

    // One route of the group differing holds the whole group.
    listQty = 6;
    await send(`${proxy.url}/products`);
    await eventually(() => expect(compared(proxy, 'products')).toBe(2));
    expect(await proxy.shadow.evaluateGates('catalog-reads')).toMatchObject({
      lastDecision: 'hold',
      lastReason: 'match rate 75.00% < 80.00%',
    });
    // Each member's report shows the group's decision.
    expect(proxy.shadow.report('product')?.gates).toMatchObject({ lastDecision: 'hold' });
    expect(proxy.shadow.report('product')?.mode).toBe('shadow');
    const listed = await admin(proxy.adminUrl as string, '/gates');
    expect(listed.json()).toMatchObject({
      routes: [],
      groups: [{ group: 'catalog-reads', lastDecision: 'hold' }],
    });

    listQty = 5;
    await send(`${proxy.url}/products`);
    await send(`${proxy.url}/products/c`);
    await eventually(() => expect(compared(proxy, 'products')).toBe(3));
    await eventually(() => expect(compared(proxy, 'product')).toBe(3));
    expect(await proxy.shadow.evaluateGates('catalog-reads')).toMatchObject({
      lastDecision: 'promote',
      lastReason: expect.stringMatching(/match rate 83\.33% over 6 samples/),
    });
    expect(proxy.shadow.report('product')?.mode).toBe('new');
    expect(proxy.shadow.report('products')?.mode).toBe('new');
    expect(await readFile(file, 'utf8')).toMatch(/^ {4}mode: new$/m);
    const [entry] = await audit();
    expect(entry).toMatchObject({
      kind: 'group',
      target: 'catalog-reads',
      routes: ['product', 'products'],
      source: 'gate',
      to: { mode: 'new' },
      figures: { samples: 6 },
    });
  });

  it('promote a write group from shadow to new behind the write barrier once its dry runs match', async () => {
    const catchUpCalls: string[] = [];
    const legacySeen: string[] = [];
    const newSeen: string[] = [];
    const catchUp = await startUpstream((req, res) => {
      catchUpCalls.push(`${req.method} ${req.url?.split('?')[0]}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        req.method === 'POST'
          ? JSON.stringify({ topic: 'legacy.events', offsets: { '0': '9' } })
          : '{}',
      );
    });
    const { proxy, file, audit } = await start(
      `upstreams:
  legacy: UPSTREAM0
  new: UPSTREAM1
shadow: { maxLoopUtilization: 1 }
groups:
  - id: order-writes
    mode: shadow
    writes:
      toNew: { barrier: UPSTREAM2/barrier, applied: UPSTREAM2/applied }
    gates:
      interval: 1h
      promote: { steps: [new], minSamples: 3, minMatchRate: 0.99, maxP99Ratio: 50, minDuration: 0 }
routes:
  - id: place-order
    group: order-writes
    match: { path: /orders, methods: [POST] }
    shadow: { dryRun: true }
`,
      [
        await startUpstream(side(() => 1, legacySeen)),
        await startUpstream(side(() => 1, newSeen)),
        catchUp,
      ],
    );
    for (let i = 0; i < 3; i++) await send(`${proxy.url}/orders`, { method: 'POST', body: '{}' });
    await eventually(() => expect(compared(proxy, 'place-order')).toBe(3));
    expect(newSeen).toEqual(Array(3).fill('POST /orders dry-run'));
    expect(await proxy.shadow.evaluateGates('order-writes')).toMatchObject({
      lastDecision: 'promote',
      lastReason: expect.stringMatching(
        /^gate promotion to new: match rate 100\.00% over 3 samples/,
      ),
    });
    expect(catchUpCalls).toEqual(['POST /barrier', 'GET /applied']);
    expect(proxy.shadow.report('place-order')?.mode).toBe('new');
    expect(await readFile(file, 'utf8')).toMatch(/^ {4}mode: new$/m);
    const [entry] = await audit();
    expect(entry).toMatchObject({
      kind: 'group',
      target: 'order-writes',
      source: 'gate',
      actor: 'strangler-gates',
      from: { mode: 'shadow' },
      to: { mode: 'new' },
      figures: { samples: 3, matchRate: 1 },
      barrier: { topic: 'legacy.events', offsets: { '0': '9' } },
    });

    // Served by new from now on, and not copied any more.
    await send(`${proxy.url}/orders`, { method: 'POST', body: '{}' });
    expect(newSeen.at(-1)).toBe('POST /orders');
    expect(legacySeen).toHaveLength(3);
  });
});
