import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proxyFor } from '../testing/proxy.js';
import { admin, capturingLogger, eventually, send } from '../testing/support.js';
import { deadPort, startUpstream, type TestUpstream } from '../testing/upstream.js';
import type { ProxyConfigInput, ShadowRouteReport, StartedProxy, TimelinePoint } from '../types.js';
import { SKIP_REASONS } from './skip-reasons.js';

type Handler = NonNullable<Parameters<typeof startUpstream>[0]>;

const answer =
  (qty: number): Handler =>
  (req, res) => {
    const body = JSON.stringify({ path: req.url, qty, method: req.method });
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  };

describe('shadow mode', () => {
  const ups = {} as Record<
    'legacy' | 'same' | 'differs' | 'slow' | 'garbage' | 'gzip',
    TestUpstream
  >;
  let proxy: StartedProxy;
  let dead: number;

  beforeAll(async () => {
    ups.legacy = await startUpstream((req, res, body) => {
      if (req.url?.startsWith('/stream')) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end('data: one\n\n');
        return;
      }
      if (req.url?.startsWith('/big')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ pad: 'x'.repeat(5000) }));
        return;
      }
      if (req.method === 'POST') {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ created: body.toString() }));
        return;
      }
      answer(3)(req, res, body);
    });
    ups.same = await startUpstream((req, res, body) => {
      if (req.method === 'POST') {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ created: body.toString() }));
        return;
      }
      answer(3)(req, res, body);
    });
    ups.differs = await startUpstream(answer(4));
    ups.slow = await startUpstream((req, res, body) => {
      setTimeout(() => answer(3)(req, res, body), 2000);
    });
    ups.garbage = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(randomBytes(256));
    });
    ups.gzip = await startUpstream((req, res) => {
      const body = gzipSync(JSON.stringify({ path: req.url, qty: 3, method: req.method }));
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        'content-length': body.length,
      });
      res.end(body);
    });
    dead = await deadPort();
    const route = (id: string, candidate: string, extra: Record<string, unknown> = {}) => ({
      id,
      match: { path: `/${id}/**` },
      mode: 'shadow' as const,
      upstreams: { legacy: 'legacy', new: candidate },
      ...extra,
    });
    const config: ProxyConfigInput = {
      upstreams: {
        legacy: ups.legacy.url,
        new: ups.same.url,
        same: ups.same.url,
        differs: ups.differs.url,
        slow: ups.slow.url,
        dead: `http://127.0.0.1:${dead}`,
        garbage: ups.garbage.url,
        gzip: ups.gzip.url,
      },
      // Exact counts below: no shedding when the test process's event loop is busy.
      shadow: { maxLoopUtilization: 1 },
      routes: [
        route('same', 'same'),
        route('differs', 'differs'),
        route('ignored', 'differs', { shadow: { ignore: ['/qty'] } }),
        route('slow', 'slow'),
        route('slowcut', 'slow', { shadow: { timeout: 300 } }),
        route('dead', 'dead'),
        route('garbage', 'garbage'),
        route('gzip', 'gzip'),
        route('writes', 'same'),
        route('dry', 'same', { shadow: { dryRun: true } }),
        route('sampled', 'same', { shadow: { sample: 0 } }),
        route('big', 'same', { shadow: { maxBodyBytes: 1000 } }),
        route('stream', 'same'),
        route('plain', 'same', { mode: 'legacy' }),
        {
          id: 'canary',
          match: { path: '/canary/**' },
          mode: 'canary',
          percent: 100,
          upstreams: { legacy: 'legacy', new: 'differs' },
        },
      ],
    };
    proxy = await proxyFor(config);
  });
  afterAll(async () => {
    await proxy.close();
    for (const u of Object.values(ups)) await u.close();
  });

  const report = (route: string) => proxy.shadow.report(route) as ShadowRouteReport;

  it('compares a copy sent to new with what legacy served, and counts the match', async () => {
    const res = await send(`${proxy.url}/same/a?x=1`);
    expect(res.status).toBe(200);
    expect(res.headers['x-served-by']).toBe('legacy');
    await eventually(() =>
      expect(report('same').totals).toMatchObject({
        compared: 1,
        matched: 1,
        mismatched: 0,
        matchRate: 1,
      }),
    );
    const copy = ups.same.seen.find((s) => s.url === '/same/a?x=1');
    expect(copy?.headers['x-strangler-shadow']).toBe('1');
    expect(copy?.headers['x-request-id']).toMatch(/~shadow$/);
  });

  it('records a mismatch with its diff and the request, credentials redacted', async () => {
    await send(`${proxy.url}/differs/sku-1`, {
      headers: { authorization: 'Bearer secret', cookie: 'sid=secret', 'x-tenant': 't1' },
    });
    await eventually(() => expect(report('differs').totals.mismatched).toBe(1));
    const [m] = proxy.shadow.mismatches('differs');
    expect(m).toMatchObject({
      route: 'differs',
      servedBy: 'legacy',
      legacy: { status: 200 },
      candidate: { status: 200 },
      diff: [{ pointer: '/qty', kind: 'value', legacy: 3, candidate: 4 }],
      text: '~ /qty: 3 -> 4',
    });
    expect(m?.request).toMatchObject({ method: 'GET', url: '/differs/sku-1' });
    expect(m?.request.headers).toMatchObject({
      authorization: '[redacted]',
      cookie: '[redacted]',
      'x-tenant': 't1',
    });
    expect(JSON.stringify(m)).not.toContain('secret');
  });

  it('does not count differences covered by an ignore rule', async () => {
    await send(`${proxy.url}/ignored/sku-1`);
    await eventually(() =>
      expect(report('ignored').totals).toMatchObject({ compared: 1, matched: 1 }),
    );
  });

  it('decodes a gzip answer before comparing it with a plain one', async () => {
    await send(`${proxy.url}/gzip/a`);
    await eventually(() =>
      expect(report('gzip').totals).toMatchObject({ compared: 1, matched: 1 }),
    );
  });

  it('serves legacy answers while the candidate is slow, compares once it answers, and cuts it at the timeout', async () => {
    const res = await send(`${proxy.url}/slow/a`);
    expect(res.json()).toEqual({ path: '/slow/a', qty: 3, method: 'GET' });
    // The client has its answer before the candidate has answered: nothing compared yet.
    expect(report('slow').totals.compared).toBe(0);
    await eventually(
      () => expect(report('slow').totals).toMatchObject({ compared: 1, matched: 1 }),
      5000,
    );
    expect(report('slow').window.candidate.p50Ms).toBeGreaterThanOrEqual(2000);

    const cut = await send(`${proxy.url}/slowcut/a`);
    expect(cut.json()).toEqual({ path: '/slowcut/a', qty: 3, method: 'GET' });
    await eventually(() => expect(report('slowcut').totals.skipped).toEqual({ timeout: 1 }), 3000);
    expect(report('slowcut').totals.compared).toBe(0);
    expect(report('slowcut').window.candidate.errorRate).toBe(1);
  });

  it('serves legacy answers while the candidate is down, counting candidate_error', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await send(`${proxy.url}/dead/${i}`);
      expect(res.status).toBe(200);
      expect(res.json()).toEqual({ path: `/dead/${i}`, qty: 3, method: 'GET' });
    }
    await eventually(() => expect(report('dead').totals.skipped).toEqual({ candidate_error: 3 }));
    expect(report('dead').totals.compared).toBe(0);
  });

  it('serves legacy answers while the candidate answers garbage, counting a mismatch', async () => {
    const res = await send(`${proxy.url}/garbage/a`);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.json()).toEqual({ path: '/garbage/a', qty: 3, method: 'GET' });
    await eventually(() => expect(report('garbage').totals.mismatched).toBe(1));
    expect(proxy.shadow.mismatches('garbage')[0]?.diff.map((d) => d.pointer)).toEqual([
      'header:content-type',
      'body',
    ]);
  });

  it('does not shadow writes unless the route says its candidate runs them as dry runs', async () => {
    const seen = ups.same.seen.length;
    const res = await send(`${proxy.url}/writes/orders`, {
      method: 'POST',
      body: '{"qty":1}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(201);
    await eventually(() => expect(report('writes').totals.skipped).toEqual({ method: 1 }));
    expect(ups.same.seen.slice(seen).some((s) => s.url === '/writes/orders')).toBe(false);

    const body = JSON.stringify({ qty: 2, note: 'é'.repeat(100) });
    await send(`${proxy.url}/dry/orders`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    });
    await eventually(() => expect(report('dry').totals).toMatchObject({ compared: 1, matched: 1 }));
    const copy = ups.same.seen.find((s) => s.url === '/dry/orders');
    expect(copy?.headers['x-strangler-dry-run']).toBe('1');
    expect(copy?.body.toString()).toBe(body);
    expect(ups.legacy.seen.filter((s) => s.url === '/dry/orders')).toHaveLength(1);
  });

  it('counts sampled-out requests, bodies over the cap and streams without comparing them', async () => {
    await send(`${proxy.url}/sampled/a`);
    await send(`${proxy.url}/big/a`);
    await send(`${proxy.url}/stream/a`);
    await send(`${proxy.url}/same/events`, { headers: { accept: 'text/event-stream' } });
    await eventually(() => {
      expect(report('sampled').totals.skipped).toEqual({ sampled_out: 1 });
      expect(report('big').totals.skipped).toEqual({ size: 1 });
      expect(report('stream').totals.skipped).toEqual({ streaming: 1 });
      expect(report('same').totals.skipped).toMatchObject({ streaming: 1 });
    });
    expect(
      ups.same.seen.some(
        (s) => s.url === '/big/a' || s.url === '/stream/a' || s.url === '/sampled/a',
      ),
    ).toBe(false);
  });

  it('never shadows routes in legacy mode', async () => {
    await send(`${proxy.url}/plain/a`);
    expect(report('plain').totals).toMatchObject({ compared: 0, skipped: {} });
    expect(ups.same.seen.some((s) => s.url === '/plain/a')).toBe(false);
  });

  it('in canary, compares what new served with a copy sent to legacy', async () => {
    const res = await send(`${proxy.url}/canary/a`, { headers: { cookie: 'strangler-id=user-1' } });
    expect(res.headers['x-served-by']).toBe('new');
    expect(res.json()).toMatchObject({ qty: 4 });
    await eventually(() => expect(report('canary').totals.mismatched).toBe(1));
    const [m] = proxy.shadow.mismatches('canary');
    expect(m).toMatchObject({
      servedBy: 'new',
      diff: [{ pointer: '/qty', legacy: 3, candidate: 4 }],
    });
    expect(ups.legacy.seen.find((s) => s.url === '/canary/a')?.headers['x-strangler-shadow']).toBe(
      '1',
    );
  });

  it('reports per route on the admin API behind the token, and as Prometheus metrics', async () => {
    expect((await send(`${proxy.adminUrl}/shadow`)).status).toBe(401);
    const all = await admin(proxy.adminUrl as string, '/shadow');
    expect(all.status).toBe(200);
    const body = all.json<{
      routes: ShadowRouteReport[];
      queue: { capacity: number };
      skipReasons: Record<string, string>;
    }>();
    expect(body.queue.capacity).toBe(1000);
    // The dashboard shows these beside the skip counts.
    expect(body.skipReasons).toEqual(SKIP_REASONS);
    expect(body.routes.find((r) => r.route === 'differs')).toMatchObject({
      mode: 'shadow',
      totals: { mismatched: 1 },
    });
    const one = await admin(proxy.adminUrl as string, '/shadow/differs');
    expect(one.json()).toMatchObject({
      route: 'differs',
      window: {
        compared: 1,
        matchRate: 0,
        legacy: { count: 1 },
        candidate: { count: 1, errorRate: 0 },
      },
    });
    const mism = await admin(proxy.adminUrl as string, '/shadow/differs/mismatches?limit=5');
    expect(mism.json<{ mismatches: unknown[] }>().mismatches).toHaveLength(1);
    expect((await admin(proxy.adminUrl as string, '/shadow/nope')).status).toBe(404);
    // The dashboard's charts: the running interval holds the comparison made above.
    const timeline = (await admin(proxy.adminUrl as string, '/shadow/differs/timeline')).json<{
      intervalMs: number;
      points: TimelinePoint[];
    }>();
    expect(timeline.intervalMs).toBe(10_000);
    expect(timeline.points.at(-1)).toMatchObject({ stage: 'shadow', partial: true });
    expect(timeline.points.reduce((n, p) => n + p.compared, 0)).toBe(1);
    expect(timeline.points.find((p) => p.compared === 1)).toMatchObject({
      matchRate: 0,
      legacy: { p50Ms: expect.any(Number) },
      candidate: { p99Ms: expect.any(Number) },
    });
    expect(proxy.shadow.timeline('differs')).toHaveLength(timeline.points.length);
    const metrics = (await send(`${proxy.adminUrl}/metrics`)).text;
    expect(metrics).toContain(
      'strangler_proxy_shadow_comparisons_total{route="same",outcome="match"}',
    );
    expect(metrics).toContain(
      'strangler_proxy_shadow_comparisons_total{route="differs",outcome="mismatch"} 1',
    );
    expect(metrics).toContain(
      'strangler_proxy_shadow_skipped_total{route="dead",reason="candidate_error"} 3',
    );
    expect(metrics).toMatch(
      /strangler_proxy_shadow_duration_seconds_bucket\{le="[^"]+",route="same",side="new"\}/,
    );
  });
});

describe('shadow queue', () => {
  it('drops copies beyond the queue and counts them, while every client gets its legacy answer', async () => {
    const legacy = await startUpstream(answer(3));
    const slow = await startUpstream((req, res, body) =>
      setTimeout(() => answer(3)(req, res, body), 300),
    );
    const proxy = await proxyFor({
      upstreams: { legacy: legacy.url, new: slow.url },
      routes: [{ id: 'r', match: { path: '/**' }, mode: 'shadow' }],
      shadow: { queue: 2, concurrency: 1, maxLoopUtilization: 1 },
    });
    try {
      const replies = await Promise.all(
        Array.from({ length: 12 }, (_, i) => send(`${proxy.url}/item/${i}`)),
      );
      expect(replies.map((r) => r.status)).toEqual(Array(12).fill(200));
      await eventually(() => {
        const t = proxy.shadow.report('r')?.totals;
        expect((t?.compared ?? 0) + (t?.skipped.queue_full ?? 0)).toBe(12);
      }, 10_000);
      const t = proxy.shadow.report('r')?.totals;
      expect(t?.skipped.queue_full).toBeGreaterThan(0);
      expect(t?.compared).toBeGreaterThan(0);
    } finally {
      await proxy.close();
      await legacy.close();
      await slow.close();
    }
  });

  it("drops copies that waited past the route's timeout behind a slow candidate without sending them, counted as timeout", async () => {
    const legacy = await startUpstream(answer(3));
    const slow = await startUpstream((req, res, body) =>
      setTimeout(() => answer(3)(req, res, body), 300),
    );
    const proxy = await proxyFor({
      upstreams: { legacy: legacy.url, new: slow.url },
      routes: [{ id: 'r', match: { path: '/**' }, mode: 'shadow', shadow: { timeout: 400 } }],
      shadow: { concurrency: 1, maxLoopUtilization: 1 },
    });
    try {
      const replies = await Promise.all(
        Array.from({ length: 8 }, (_, i) => send(`${proxy.url}/item/${i}`)),
      );
      expect(replies.map((r) => r.status)).toEqual(Array(8).fill(200));
      await proxy.shadow.idle();
      const t = proxy.shadow.report('r')?.totals;
      expect(t?.compared).toBeGreaterThanOrEqual(1);
      expect((t?.compared ?? 0) + (t?.skipped.timeout ?? 0)).toBe(8);
      // One at a time, 300 ms each, 400 ms from the client's answer: most never reach the candidate.
      expect(slow.seen.length).toBeLessThan(5);
    } finally {
      await proxy.close();
      await legacy.close();
      await slow.close();
    }
  });
});

describe('ignore rules with an expiry', () => {
  it('hides a difference until its rule expires, then counts it again and logs whose rule ended', async () => {
    const legacy = await startUpstream(answer(3));
    const differs = await startUpstream(answer(4));
    const { logger, lines } = capturingLogger();
    const expires = new Date(Date.now() + 1_500).toISOString();
    const proxy = await proxyFor(
      {
        upstreams: { legacy: legacy.url, new: differs.url },
        shadow: { maxLoopUtilization: 1 },
        routes: [
          {
            id: 'r',
            match: { path: '/**' },
            mode: 'shadow',
            shadow: {
              ignore: [{ rule: '/qty', owner: 'team-stock', reason: 'rounding', expires }],
            },
          },
        ],
      },
      { logger },
    );
    try {
      await send(`${proxy.url}/item/1`);
      await proxy.shadow.idle();
      expect(proxy.shadow.report('r')?.totals).toMatchObject({ compared: 1, matched: 1 });
      expect(proxy.shadow.noise('r')).toMatchObject({
        ignore: ['/qty'],
        ignoreRules: [
          { rule: '/qty', owner: 'team-stock', reason: 'rounding', expires, expired: false },
        ],
      });
      await eventually(() => expect(proxy.shadow.noise('r')?.ignore).toEqual([]), 5_000);
      expect(lines).toContainEqual(
        expect.objectContaining({
          msg: 'shadow ignore rule expired: its differences count again',
          route: 'r',
          rule: '/qty',
          owner: 'team-stock',
        }),
      );
      await send(`${proxy.url}/item/2`);
      await proxy.shadow.idle();
      expect(proxy.shadow.report('r')?.totals).toMatchObject({ compared: 2, mismatched: 1 });
      expect(proxy.shadow.noise('r')?.ignoreRules[0]?.expired).toBe(true);
    } finally {
      await proxy.close();
      await legacy.close();
      await differs.close();
    }
  });
});
