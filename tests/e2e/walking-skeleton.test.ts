import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStack, type Stack } from './stack.fixture.js';

let stack: Stack;
beforeAll(async () => {
  stack = await bootStack();
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

const json = { 'content-type': 'application/json' };
async function call(base: string, path: string, init: RequestInit = {}) {
  const res = await fetch(`${base}${path}`, init);
  const text = await res.text();
  return {
    status: res.status,
    servedBy: res.headers.get('x-served-by'),
    body: text ? (JSON.parse(text) as unknown) : null,
  };
}
const post = (path: string, body: unknown) =>
  call(stack.proxy, path, { method: 'POST', headers: json, body: JSON.stringify(body) });
const patch = (path: string, body: unknown) =>
  call(stack.proxy, path, { method: 'PATCH', headers: json, body: JSON.stringify(body) });

/** An answer without the fields that legitimately differ per response (Diffy calls them noise). */
function withoutNoise(answer: { status: number; body: unknown }) {
  const body = answer.body as Record<string, unknown> | null;
  if (!body || Array.isArray(body)) return answer;
  const { generatedAt: _g, requestId: _r, ...rest } = body;
  return { status: answer.status, body: rest };
}

const QUESTIONS = [
  '/products/E2E_RUG/availability?qty=1',
  '/products/E2E_RUG/availability?qty=15',
  '/products/E2E_RUG/availability?qty=60',
  '/products/E2E_RUG/availability?qty=500',
  '/products/E2E_LAMP/availability',
  '/products/E2E_LAMP/availability?qty=3',
  '/products/NO_SUCH_SKU/availability',
  '/products/E2E_RUG/availability?qty=zero',
];

async function eventually<T>(
  what: string,
  fn: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < until) {
    last = await fn();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}

/** Edits the route's mode line, as a user would (the comments above it mention modes too). */
function setMode(mode: 'legacy' | 'shadow' | 'new') {
  const file = join(stack.dataDir, 'routes.yaml');
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, text.replace(/^(\s+)mode: \w+$/m, `$1mode: ${mode}`));
}

async function shadowReport() {
  const res = await fetch(`${stack.admin}/shadow/availability`, {
    headers: { authorization: `Bearer ${stack.token}` },
  });
  return (await res.json()) as {
    mode: string;
    totals: { compared: number; matched: number; mismatched: number };
  };
}

describe('walking skeleton: proxy, legacy, capture, new service, switch and back', () => {
  it('serves writes through the proxy from legacy, and the new service catches up with the same answers', async () => {
    expect((await post('/batches', { ref: 'e2e-rug-wh', sku: 'E2E_RUG', qty: 20 })).status).toBe(
      201,
    );
    expect(
      (await post('/batches', { ref: 'e2e-rug-ship', sku: 'E2E_RUG', qty: 50, eta: '2031-03-01' }))
        .status,
    ).toBe(201);
    expect((await post('/batches', { ref: 'e2e-lamp', sku: 'E2E_LAMP', qty: 5 })).status).toBe(201);
    const allocated = await post('/allocate', { orderid: 'e2e-o1', sku: 'E2E_RUG', qty: 12 });
    expect(allocated).toMatchObject({
      status: 201,
      servedBy: 'legacy',
      body: { batchref: 'e2e-rug-wh' },
    });
    expect(
      (await post('/allocate', { orderid: 'e2e-o2', sku: 'E2E_RUG', qty: 30 })).body,
    ).toMatchObject({ batchref: 'e2e-rug-ship' });
    expect((await post('/allocate', { orderid: 'e2e-o3', sku: 'E2E_LAMP', qty: 2 })).status).toBe(
      201,
    );
    expect((await patch('/batches/e2e-rug-ship', { qty: 40 })).status).toBe(200);
    expect((await post('/deallocate', { orderid: 'e2e-o3', sku: 'E2E_LAMP' })).status).toBe(200);

    await eventually(
      'the new service to answer like legacy',
      async () => {
        const pairs = [];
        for (const q of QUESTIONS)
          pairs.push([
            withoutNoise(await call(stack.legacy, q)),
            withoutNoise(await call(stack.newService, q)),
          ]);
        return pairs;
      },
      (pairs) => pairs.every(([a, b]) => JSON.stringify(a) === JSON.stringify(b)),
    );
    const status = await call(stack.newService, '/status');
    expect(status.body).toMatchObject({ caughtUp: true });
  });

  it('compares the two systems in shadow mode while legacy keeps answering, and they agree', async () => {
    setMode('shadow');
    await eventually(
      'the proxy to shadow the route',
      shadowReport,
      (r) => r.mode === 'shadow',
      10_000,
    );
    for (const q of QUESTIONS) expect((await call(stack.proxy, q)).servedBy, q).toBe('legacy');
    const report = await eventually(
      'every shadow copy to be compared',
      shadowReport,
      (r) => r.totals.compared >= QUESTIONS.length,
      10_000,
    );
    expect(report.totals).toMatchObject({ compared: QUESTIONS.length, mismatched: 0 });
  });

  it('hands the availability route to the new service by editing the route file, and back', async () => {
    setMode('new');
    await eventually(
      'the proxy to route to new',
      () => call(stack.proxy, QUESTIONS[0]!),
      (r) => r.servedBy === 'new',
      10_000,
    );
    for (const q of QUESTIONS) {
      const viaProxy = await call(stack.proxy, q);
      expect(viaProxy.servedBy, q).toBe('new');
      expect(withoutNoise(viaProxy), q).toEqual(withoutNoise(await call(stack.legacy, q)));
    }
    // Writes still go to legacy: only the availability route was switched.
    expect((await post('/batches', { ref: 'e2e-lamp-2', sku: 'E2E_LAMP', qty: 1 })).servedBy).toBe(
      'legacy',
    );

    setMode('legacy');
    await eventually(
      'the proxy to route back to legacy',
      () => call(stack.proxy, QUESTIONS[0]!),
      (r) => r.servedBy === 'legacy',
      10_000,
    );
  });

  it('moves the writes to the new service behind the barrier, legacy screens fed by the write-back, and back', async () => {
    const switchWrites = async (mode: 'new' | 'legacy', reason: string) => {
      const res = await fetch(`${stack.admin}/groups/allocation-writes/switch`, {
        method: 'POST',
        headers: { ...json, authorization: `Bearer ${stack.token}` },
        body: JSON.stringify({ mode, reason, actor: 'e2e' }),
      });
      expect(res.status, await res.clone().text()).toBe(200);
      return (await res.json()) as { barrier?: { heldMs: number } };
    };
    const moved = await switchWrites('new', 'writes move to the new service');
    expect(moved.barrier?.heldMs).toBeGreaterThan(0);
    const allocated = await post('/allocate', { orderid: 'e2e-w1', sku: 'E2E_RUG', qty: 2 });
    expect([allocated.status, allocated.servedBy]).toEqual([201, 'new']);
    // The legacy monolith's own screen shows it, through the outbox and the write-back.
    const legacyView = await eventually(
      'the write-back to reach legacy',
      () => call(stack.legacy, '/allocations/e2e-w1'),
      (r) => r.status === 200,
    );
    expect(legacyView.body).toEqual([
      {
        orderid: 'e2e-w1',
        sku: 'E2E_RUG',
        qty: 2,
        batchref: (allocated.body as { batchref: string }).batchref,
      },
    ]);
    await switchWrites('legacy', 'rollback');
    const again = await post('/allocate', { orderid: 'e2e-w2', sku: 'E2E_RUG', qty: 1 });
    expect([again.status, again.servedBy]).toEqual([201, 'legacy']);
  });

  it('stops every process on SIGTERM', async () => {
    const code = await stack.stop();
    expect(code).toBe(0);
    expect(stack.output()).toMatch(/SIGTERM: stopping everything[\s\S]*stopped/);
    await expect(fetch(`${stack.proxy}/healthz`)).rejects.toThrow();
  });
});
