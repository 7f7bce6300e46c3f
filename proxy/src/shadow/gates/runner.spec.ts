import type { ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { proxyFor } from '../../testing/proxy.js';
import { admin, eventually, send, tempDir, writeConfig } from '../../testing/support.js';
import { startUpstream, type TestUpstream } from '../../testing/upstream.js';
import type { AuditEntry, StartedProxy } from '../../types.js';

const json = (qty: () => number) => (_req: unknown, res: ServerResponse) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ qty: qty() }));
};

describe('gates', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let legacy: TestUpstream;
  let fresh: TestUpstream;
  let proxy: StartedProxy;
  let file: string;
  let candidateQty = 3;

  const config = (mode: string, extra = '') => `upstreams:
  legacy: LEGACY
  new: NEW
shadow: { maxLoopUtilization: 1 }
routes:
  - id: availability
    match: { path: /products/:sku/availability }
    mode: ${mode}
    gates:
      interval: 1h
      promote: { steps: [10, new], minSamples: 5, minMatchRate: 0.99, maxErrorRateDiff: 0.01, maxP99Ratio: 50, minDuration: 0 }
      rollback: { minSamples: 3, minMatchRate: 0.9 }${extra}
`;

  beforeEach(async () => {
    dir = await tempDir();
    candidateQty = 3;
    legacy = await startUpstream(json(() => 3) as never);
    fresh = await startUpstream(json(() => candidateQty) as never);
  });
  afterEach(async () => {
    await proxy?.close();
    await legacy.close();
    await fresh.close();
    await dir.cleanup();
  });

  async function start(text: string): Promise<void> {
    file = await writeConfig(
      dir.file('routes.yaml'),
      text.replace('LEGACY', legacy.url).replace('NEW', fresh.url),
    );
    proxy = await proxyFor({ file });
  }

  const traffic = async (n: number, cookie = 'strangler-id=u1') => {
    for (let i = 0; i < n; i++)
      await send(`${proxy.url}/products/sku-${i}/availability`, { headers: { cookie } });
  };
  const audit = async () =>
    (await readFile(dir.file('routes.yaml.audit.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditEntry);

  it('holds below the minimum samples, then promotes shadow -> canary -> new through the switcher, with figures in the audit log', async () => {
    await start(config('shadow'));
    await traffic(4);
    await eventually(() => expect(proxy.shadow.report('availability')?.totals.compared).toBe(4));
    expect(await proxy.shadow.evaluateGates('availability')).toMatchObject({
      lastDecision: 'hold',
      lastReason: expect.stringMatching(/4 of 5 samples/),
    });
    await traffic(1);
    await eventually(() => expect(proxy.shadow.report('availability')?.totals.compared).toBe(5));
    expect(await proxy.shadow.evaluateGates('availability')).toMatchObject({
      lastDecision: 'promote',
    });
    expect(proxy.shadow.report('availability')).toMatchObject({ mode: 'canary', percent: 10 });
    const written = await readFile(file, 'utf8');
    expect(written).toMatch(/^ {4}mode: canary$/m);
    expect(written).toMatch(/^ {4}percent: 10$/m);
    const [entry] = await audit();
    expect(entry).toMatchObject({
      source: 'gate',
      actor: 'strangler-gates',
      from: { mode: 'shadow' },
      to: { mode: 'canary', percent: 10 },
      figures: { samples: 5, matchRate: 1, errorRateDiff: 0 },
    });
    expect(entry?.reason).toMatch(/gate promotion to canary 10%/);

    // A new stage starts counting from zero: the next promotion needs fresh samples.
    expect(await proxy.shadow.evaluateGates('availability')).toMatchObject({
      lastDecision: 'hold',
      lastReason: expect.stringMatching(/0 of 5 samples/),
    });
    // Users in the 10% are served by new; their safe requests are compared against legacy copies.
    const inCanary = await findCanaryCookie(proxy.url);
    await traffic(5, inCanary);
    await proxy.shadow.idle();
    // The probe that found the cookie was served by new too, and compared.
    expect(proxy.shadow.report('availability')?.window.compared).toBe(6);
    expect(await proxy.shadow.evaluateGates('availability')).toMatchObject({
      lastDecision: 'promote',
    });
    expect(proxy.shadow.report('availability')?.mode).toBe('new');
    expect((await audit()).map((e) => (e.kind === 'route' ? e.to : undefined))).toEqual([
      { mode: 'canary', percent: 10 },
      { mode: 'new' },
    ]);
    // Leaving canary took the percent out of the file.
    expect(await readFile(file, 'utf8')).not.toMatch(/percent/);
  });

  it('rolls a canary back to shadow when the match rate drops, and rollback wins over promotion', async () => {
    await start(config('canary\n    percent: 100'));
    candidateQty = 4;
    await traffic(3);
    await eventually(() => expect(proxy.shadow.report('availability')?.window.compared).toBe(3));
    const state = await proxy.shadow.evaluateGates('availability');
    expect(state).toMatchObject({
      lastDecision: 'rollback',
      lastReason: expect.stringMatching(/match rate 0\.00% < 90\.00% over 3 samples/),
    });
    expect(proxy.shadow.report('availability')?.mode).toBe('shadow');
    const [entry] = await audit();
    expect(entry).toMatchObject({
      source: 'gate',
      from: { mode: 'canary', percent: 100 },
      to: { mode: 'shadow' },
      figures: { matchRate: 0, samples: 3 },
    });
    expect(await readFile(file, 'utf8')).toMatch(/mode: shadow/);
  });

  it('pauses after a manual switch for the cooldown, until resumed', async () => {
    await start(config('shadow'));
    const res = await admin(proxy.adminUrl as string, '/routes/availability/switch', {
      mode: 'canary',
      percent: 10,
      reason: 'by hand',
    });
    expect(res.status).toBe(200);
    await traffic(6, await findCanaryCookie(proxy.url));
    await proxy.shadow.idle();
    // The 6 requests and the probe that found the cookie (served by new as well).
    expect(proxy.shadow.report('availability')?.window.compared).toBe(7);
    expect(await proxy.shadow.evaluateGates('availability')).toMatchObject({
      lastDecision: 'paused',
      pausedUntil: expect.any(String),
    });
    expect(proxy.shadow.report('availability')?.mode).toBe('canary');
    const resumed = await admin(proxy.adminUrl as string, '/gates/availability/resume', {});
    expect(resumed.status).toBe(200);
    const evaluated = await admin(proxy.adminUrl as string, '/gates/availability/evaluate', {});
    expect(evaluated.json()).toMatchObject({ lastDecision: 'promote' });
    expect(proxy.shadow.report('availability')?.mode).toBe('new');
  });

  it('makes no switch with gates.enabled false', async () => {
    await start(config('shadow', '\n      enabled: false'));
    await traffic(6);
    await eventually(() => expect(proxy.shadow.report('availability')?.totals.compared).toBe(6));
    expect(await proxy.shadow.evaluateGates('availability')).toMatchObject({
      lastDecision: 'idle',
      lastReason: 'gates.enabled is false',
    });
    expect(proxy.shadow.report('availability')?.mode).toBe('shadow');
    const gates = await admin(proxy.adminUrl as string, '/gates');
    expect(gates.json()).toMatchObject({ routes: [{ route: 'availability', enabled: false }] });
  });
});

/** A sticky cookie that lands in the route's 10% canary bucket. */
async function findCanaryCookie(url: string): Promise<string> {
  for (let i = 0; i < 500; i++) {
    const cookie = `strangler-id=user-${i}`;
    const res = await send(`${url}/products/probe/availability`, {
      headers: { cookie, 'x-probe': '1' },
    });
    if (res.headers['x-served-by'] === 'new') return cookie;
  }
  throw new Error('no cookie in the canary');
}
