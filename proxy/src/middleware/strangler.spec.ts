import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signOverride } from '../routing/override.js';
import { proxyFor } from '../testing/proxy.js';
import { ADMIN_TOKEN, OVERRIDE_SECRET, admin, send, silentLogger } from '../testing/support.js';
import { deadPort, echo, startUpstream, type TestUpstream } from '../testing/upstream.js';
import type { ProxyConfigInput, StranglerMiddleware } from '../types.js';
import { strangler } from './strangler.js';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
}

/** The "monolith": an express app with its own handlers, a body parser, and the middleware first. */
function monolith(mw: StranglerMiddleware): express.Express {
  const app = express();
  app.use(mw);
  app.use(express.json());
  app.get('/products/:sku/availability', (req, res) => {
    res.json({ served: 'app', sku: req.params.sku });
  });
  app.post('/orders', (req, res) => {
    res.json({ served: 'app', body: req.body as unknown });
  });
  app.use((req, res) => {
    res.status(404).json({ served: 'app', notFound: req.url });
  });
  return app;
}

describe('strangler() express middleware', () => {
  let fresh: TestUpstream;
  let mw: StranglerMiddleware;
  let server: Server;
  let url: string;
  let config: ProxyConfigInput;

  beforeAll(async () => {
    fresh = await startUpstream(echo('new'));
    config = {
      upstreams: { new: fresh.url },
      override: { secret: OVERRIDE_SECRET },
      routes: [
        {
          id: 'availability',
          match: { path: '/products/:sku/availability', methods: ['GET'] },
          mode: 'legacy',
        },
        {
          id: 'allocate',
          match: { path: '/products/:sku/allocate', methods: ['POST'] },
          mode: 'new',
        },
        { id: 'live', match: { path: '/live' }, mode: 'new' },
      ],
    };
    mw = strangler({ config, logger: silentLogger() });
    server = createServer(monolith(mw));
    server.on('upgrade', (req, socket: Duplex, head) => {
      if (!mw.upgrade(req, socket, head)) socket.destroy();
    });
    url = await listen(server);
  });
  afterAll(async () => {
    await close(server);
    await mw.close();
    await fresh.close();
  });

  it("lets legacy and unmatched requests continue to the app's own handlers", async () => {
    const res = await send(`${url}/products/7/availability`);
    expect(res.json()).toEqual({ served: 'app', sku: '7' });
    expect(res.headers['x-served-by']).toBe('legacy');
    expect(
      (
        await send(`${url}/orders`, {
          method: 'POST',
          body: '{"a":1}',
          headers: { 'content-type': 'application/json' },
        })
      ).json(),
    ).toEqual({
      served: 'app',
      body: { a: 1 },
    });
  });

  it('proxies routes served by new, streaming the body past the body parser mounted after it', async () => {
    const res = await send(`${url}/products/7/allocate?q=1`, {
      method: 'POST',
      body: '{"qty":3}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.json()).toEqual({
      served: 'new',
      method: 'POST',
      url: '/products/7/allocate?q=1',
      bodyBytes: 9,
    });
    expect(res.headers['x-served-by']).toBe('new');
    expect(fresh.seen.at(-1)?.headers).toMatchObject({
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-proto': 'http',
      forwarded: expect.stringContaining('for=127.0.0.1'),
    });
    expect(fresh.seen.at(-1)?.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('honours a signed override and strips it', async () => {
    const token = signOverride(OVERRIDE_SECRET, 'new', new Date(Date.now() + 60_000));
    const res = await send(`${url}/products/8/availability`, {
      headers: { 'x-strangler-override': token },
    });
    expect(res.json()).toMatchObject({ served: 'new' });
    expect(fresh.seen.at(-1)?.headers['x-strangler-override']).toBeUndefined();
  });

  it('switches and lists routes through its admin app', async () => {
    const adminServer = createServer(mw.adminApp({ token: ADMIN_TOKEN }));
    const adminUrl = await listen(adminServer);
    const res = await admin(adminUrl, '/switch', {
      target: 'availability',
      mode: 'new',
      reason: 'embedded switch',
    });
    expect(res.status).toBe(200);
    expect((await send(`${url}/products/7/availability`)).json()).toMatchObject({ served: 'new' });
    await mw.switchRoute({ target: 'availability', mode: 'legacy', reason: 'back' });
    expect((await send(`${url}/products/7/availability`)).json()).toMatchObject({ served: 'app' });
    expect(
      (await admin(adminUrl, '/routes'))
        .json<{ routes: { id: string }[] }>()
        .routes.map((r) => r.id),
    ).toEqual(['availability', 'allocate', 'live']);
    await close(adminServer);
  });

  it('forwards websocket upgrades for routes served by new', async () => {
    let upstreamClosed!: () => void;
    const closedUpstream = new Promise<void>((r) => (upstreamClosed = r));
    fresh.server.on('upgrade', (_req, socket: Duplex) => {
      socket.on('close', () => upstreamClosed());
      socket.on('end', () => socket.end());
      socket.write(
        'HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n\r\n',
      );
      socket.on('data', (c: Buffer) => socket.write(`new:${c.toString()}`));
    });
    const socket = await new Promise<Duplex>((resolve, reject) => {
      const req = request(`${url}/live`, {
        headers: { connection: 'Upgrade', upgrade: 'websocket' },
      });
      req.on('upgrade', (_res, s) => resolve(s));
      req.on('error', reject);
      req.end();
    });
    const reply = await new Promise<string>((resolve) => {
      socket.once('data', (c: Buffer) => resolve(c.toString()));
      socket.write('hello');
    });
    expect(reply).toBe('new:hello');
    socket.destroy();
    await closedUpstream;
  });

  it('answers 502 with the JSON error when the new upstream is down', async () => {
    const down = strangler({
      config: {
        upstreams: { new: `http://127.0.0.1:${await deadPort()}` },
        routes: [{ id: 'r', match: { path: '/r' }, mode: 'new' }],
      },
      logger: silentLogger(),
    });
    const s = createServer(monolith(down));
    const u = await listen(s);
    const res = await send(`${u}/r`);
    expect(res.status).toBe(502);
    expect(res.json()).toMatchObject({
      error: 'bad_gateway',
      kind: 'unreachable',
      route: 'r',
      upstream: 'new',
    });
    await close(s);
  });

  it('answers 504 when the new upstream is too slow', async () => {
    const slow = await startUpstream((_req, res) => setTimeout(() => res.end('late'), 3000));
    const m = strangler({
      config: {
        upstreams: { new: { url: slow.url, timeouts: { response: '200ms' } } },
        routes: [{ id: 'r', match: { path: '/r' }, mode: 'new' }],
      },
      logger: silentLogger(),
    });
    const s = createServer(monolith(m));
    const res = await send(`${await listen(s)}/r`);
    expect(res.status).toBe(504);
    expect(res.json()).toMatchObject({ error: 'gateway_timeout', kind: 'timeout' });
    await close(s);
    await slow.close();
  });

  it('throws at construction on an invalid config, naming the field', () => {
    expect(() =>
      strangler({
        config: { upstreams: { new: 'http://x:1' }, routes: [{ id: 'r', match: { path: 'r' } }] },
        logger: silentLogger(),
      }),
    ).toThrow(/route "r", field routes\[0\]\.match\.path: must start with '\/'/);
  });
});

describe('one routing core', () => {
  it('routes a canary exactly as the standalone proxy does, key by key', async () => {
    const legacyUp = await startUpstream(echo('legacy'));
    const newUp = await startUpstream(echo('new'));
    const config: ProxyConfigInput = {
      upstreams: { legacy: legacyUp.url, new: newUp.url },
      sticky: { header: 'x-user' },
      routes: [
        {
          id: 'availability',
          match: { path: '/products/:sku/availability' },
          mode: 'canary',
          percent: 37.5,
        },
      ],
    };
    const standalone = await proxyFor(config);
    const mw = strangler({ config, legacy: 'proxy', logger: silentLogger() });
    const app = express();
    app.use(mw);
    const server = createServer(app);
    const embedded = await listen(server);
    const sides = { legacy: 0, new: 0 };
    for (let i = 0; i < 150; i++) {
      const headers = { 'x-user': `user-${i}` };
      const a = await send(`${standalone.url}/products/1/availability`, { headers });
      const b = await send(`${embedded}/products/1/availability`, { headers });
      expect(b.headers['x-served-by']).toBe(a.headers['x-served-by']);
      expect(b.json()).toMatchObject({ served: a.headers['x-served-by'] });
      sides[a.headers['x-served-by'] as 'legacy' | 'new']++;
    }
    expect(sides.legacy).toBeGreaterThan(0);
    expect(sides.new).toBeGreaterThan(0);
    await close(server);
    await standalone.close();
    await legacyUp.close();
    await newUp.close();
  });
});
