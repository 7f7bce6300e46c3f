import { gzipSync } from 'node:zlib';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, send, silentLogger } from '../testing/support.js';
import { deadPort, startUpstream, type TestUpstream } from '../testing/upstream.js';
import type { StranglerMiddleware } from '../types.js';
import { strangler } from './strangler.js';

// Shadow comparison where the express app itself is legacy: what the app writes is captured and
// compared with a copy sent to the new upstream, with the same reports as the standalone proxy.

const open: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

async function monolith(mw: StranglerMiddleware, qty: number): Promise<string> {
  // The shadow thread starts with the middleware; the first copies should not wait for it.
  await mw.shadow.ready();
  const app = express();
  app.use(mw);
  app.get('/products/:sku/availability', (req, res) => {
    res.json({ sku: req.params.sku, qty });
  });
  app.get('/report', (_req, res) => {
    // Written in pieces, compressed by hand: the capture sees the bytes as sent.
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    const body = gzipSync(JSON.stringify({ rows: [1, 2, 3] }));
    res.write(body.subarray(0, 5));
    res.end(body.subarray(5));
  });
  const server: Server = createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  open.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function candidate(answer: (url: string) => unknown): Promise<TestUpstream> {
  const up = await startUpstream((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer(req.url ?? '')));
  });
  open.push(() => up.close());
  return up;
}

function middleware(newUrl: string, mode: 'shadow' | 'canary' = 'shadow'): StranglerMiddleware {
  const mw = strangler({
    config: {
      upstreams: { new: newUrl },
      shadow: { maxLoopUtilization: 1 },
      routes: [
        {
          id: 'availability',
          match: { path: '/products/:sku/availability', methods: ['GET'] },
          mode,
          ...(mode === 'canary' ? { percent: 100 } : {}),
        },
        { id: 'report', match: { path: '/report' }, mode: 'shadow' },
      ],
    },
    logger: silentLogger(),
  });
  open.push(() => mw.close());
  return mw;
}

describe('strangler() middleware in shadow mode', () => {
  it("compares what the app answered with the new upstream's answer, and reports it", async () => {
    const fresh = await candidate((url) => ({ sku: url.split('/')[2], qty: 3 }));
    const mw = middleware(fresh.url);
    const url = await monolith(mw, 3);
    for (const sku of ['a', 'b']) {
      const res = await send(`${url}/products/${sku}/availability`);
      expect(res.json()).toEqual({ sku, qty: 3 });
    }
    await mw.shadow.idle();
    expect(fresh.seen.map((r) => r.headers['x-strangler-shadow'])).toEqual(['1', '1']);
    expect(mw.shadow.report('availability')?.totals).toMatchObject({
      compared: 2,
      matched: 2,
      mismatched: 0,
    });
  });

  it('records a mismatch naming legacy and new, and serves the app answer meanwhile', async () => {
    const fresh = await candidate(() => ({ sku: 'a', qty: 4 }));
    const mw = middleware(fresh.url);
    const url = await monolith(mw, 3);
    expect((await send(`${url}/products/a/availability`)).json()).toEqual({ sku: 'a', qty: 3 });
    await mw.shadow.idle();
    expect(mw.shadow.report('availability')?.totals).toMatchObject({ compared: 1, mismatched: 1 });
    const [mismatch] = mw.shadow.mismatches('availability');
    expect(mismatch?.diff).toEqual([{ pointer: '/qty', kind: 'value', legacy: 3, candidate: 4 }]);
    expect(mismatch?.servedBy).toBe('legacy');
  });

  it('decodes a compressed answer the app wrote in pieces', async () => {
    const fresh = await candidate(() => ({ rows: [1, 2, 3] }));
    const mw = middleware(fresh.url);
    const url = await monolith(mw, 3);
    await send(`${url}/report`);
    await mw.shadow.idle();
    expect(mw.shadow.report('report')?.totals).toMatchObject({ compared: 1, matched: 1 });
  });

  it('counts a dead new upstream as candidate_error and still serves every client', async () => {
    const mw = middleware(`http://127.0.0.1:${await deadPort()}`);
    const url = await monolith(mw, 3);
    for (let i = 0; i < 3; i++) {
      expect((await send(`${url}/products/a/availability`)).status).toBe(200);
    }
    await mw.shadow.idle();
    const totals = mw.shadow.report('availability')?.totals;
    expect(totals?.compared).toBe(0);
    expect(totals?.skipped.candidate_error).toBe(3);
  });

  it('in canary, skips the copy to legacy as no_upstream when legacy is the app with no URL', async () => {
    const fresh = await candidate(() => ({ sku: 'a', qty: 3 }));
    const mw = middleware(fresh.url, 'canary');
    const url = await monolith(mw, 3);
    const res = await send(`${url}/products/a/availability`);
    expect(res.headers['x-served-by']).toBe('new');
    await mw.shadow.idle();
    expect(mw.shadow.report('availability')?.totals.skipped).toEqual({ no_upstream: 1 });
  });

  it('serves the shadow report and the dashboard from its admin app', async () => {
    const fresh = await candidate((url) => ({ sku: url.split('/')[2], qty: 3 }));
    const mw = middleware(fresh.url);
    const url = await monolith(mw, 3);
    await send(`${url}/products/a/availability`);
    await mw.shadow.idle();
    const admin = createServer(mw.adminApp({ token: ADMIN_TOKEN }));
    await new Promise<void>((r) => admin.listen(0, '127.0.0.1', r));
    open.push(() => new Promise<void>((r) => admin.close(() => r())));
    const adminUrl = `http://127.0.0.1:${(admin.address() as AddressInfo).port}`;
    const report = await send(`${adminUrl}/shadow/availability`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(report.json()).toMatchObject({ route: 'availability', totals: { compared: 1 } });
    const dashboard = await send(`${adminUrl}/dashboard`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(dashboard.status).toBe(200);
  });
});
