import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signOverride } from '../routing/override.js';
import { proxyFor } from '../testing/proxy.js';
import { OVERRIDE_SECRET, admin, capturingLogger, eventually, send } from '../testing/support.js';
import { deadPort, echo, startUpstream, type TestUpstream } from '../testing/upstream.js';
import type { StartedProxy } from '../types.js';

describe('forwarding', () => {
  let legacy: TestUpstream;
  let fresh: TestUpstream;
  let proxy: StartedProxy;
  const log = capturingLogger();

  beforeAll(async () => {
    legacy = await startUpstream((req, res, body) => {
      if (req.url === '/hop') {
        res.writeHead(200, {
          connection: 'x-resp-hop',
          'x-resp-hop': '1',
          'keep-alive': 'timeout=77',
          'x-kept': 'yes',
        });
        res.end('ok');
        return;
      }
      if (req.url === '/cookies') {
        res.writeHead(
          200,
          [
            ['set-cookie', 'a=1'],
            ['set-cookie', 'b=2'],
          ].flat(),
        );
        res.end();
        return;
      }
      echo('legacy')(req, res, body);
    });
    fresh = await startUpstream(echo('new'));
    proxy = await proxyFor(
      {
        upstreams: {
          legacy: legacy.url,
          new: fresh.url,
          prefixed: `${fresh.url}/base`,
          renamed: { url: fresh.url, preserveHost: false },
        },
        override: { secret: OVERRIDE_SECRET },
        routes: [
          {
            id: 'availability',
            match: { path: '/products/:sku/availability', methods: ['GET'] },
            mode: 'new',
          },
          {
            id: 'prefixed',
            match: { path: '/prefixed/**' },
            mode: 'new',
            upstreams: { new: 'prefixed' },
          },
          {
            id: 'renamed',
            match: { path: '/renamed' },
            mode: 'new',
            upstreams: { new: 'renamed' },
          },
          { id: 'orders', match: { path: '/orders/**' }, mode: 'legacy' },
        ],
      },
      { logger: log.logger },
    );
  });
  afterAll(async () => {
    await proxy.close();
    await legacy.close();
    await fresh.close();
  });

  it('sends unmatched requests to legacy and names the side in x-served-by', async () => {
    const res = await send(`${proxy.url}/anything?x=1`);
    expect(res.json()).toMatchObject({ served: 'legacy', url: '/anything?x=1' });
    expect(res.headers['x-served-by']).toBe('legacy');
  });

  it('sends a route in mode new to the new upstream', async () => {
    const res = await send(`${proxy.url}/products/42/availability`);
    expect(res.json()).toMatchObject({ served: 'new', url: '/products/42/availability' });
    expect(res.headers['x-served-by']).toBe('new');
  });

  it('streams a request body through without buffering it', async () => {
    let sawFirstChunk!: () => void;
    const firstChunkArrived = new Promise<void>((r) => (sawFirstChunk = r));
    const upstream = await startUpstream();
    upstream.server.removeAllListeners('request');
    upstream.server.on('request', (req, res) => {
      const hash = createHash('sha256');
      let bytes = 0;
      req.on('data', (c: Buffer) => {
        if (bytes === 0) sawFirstChunk();
        bytes += c.length;
        hash.update(c);
      });
      req.on('end', () => res.end(JSON.stringify({ bytes, sha: hash.digest('hex') })));
    });
    const p = await proxyFor({ upstreams: { legacy: upstream.url } });
    const first = randomBytes(64 * 1024);
    const rest = randomBytes(3 * 1024 * 1024);
    // The second part is only sent once the upstream has the first: a buffering proxy would hang here.
    const body = Readable.from(
      (async function* () {
        yield first;
        await firstChunkArrived;
        yield rest;
      })(),
    );
    const res = await send(`${p.url}/upload`, { method: 'POST', body: body as unknown as Buffer });
    const expected = createHash('sha256').update(first).update(rest).digest('hex');
    expect(res.json()).toEqual({ bytes: first.length + rest.length, sha: expected });
    await p.close();
    await upstream.close();
  });

  it('drops hop-by-hop headers both ways, including those the Connection header names', async () => {
    const res = await new Promise<{ headers: Record<string, unknown> }>((resolve, reject) => {
      const req = httpRequest(`${proxy.url}/hop`, {
        headers: {
          connection: 'keep-alive, x-secret-hop',
          'x-secret-hop': '1',
          'keep-alive': 'timeout=9',
          te: 'trailers',
          'proxy-authorization': 'Basic x',
          'x-end-to-end': 'kept',
        },
      });
      req.on('response', (r) => {
        r.resume();
        r.on('end', () => resolve({ headers: r.headers }));
      });
      req.on('error', reject);
      req.end();
    });
    const seen = legacy.seen.find((s) => s.url === '/hop');
    expect(seen?.headers['x-end-to-end']).toBe('kept');
    for (const name of ['x-secret-hop', 'te', 'proxy-authorization', 'keep-alive'])
      expect(seen?.headers[name]).toBeUndefined();
    expect(res.headers['x-kept']).toBe('yes');
    expect(res.headers['x-resp-hop']).toBeUndefined();
    expect(res.headers['keep-alive']).not.toBe('timeout=77');
  });

  it('sets X-Forwarded-For/-Proto/-Host and Forwarded, replacing what an untrusted client sent', async () => {
    await send(`${proxy.url}/orders/1`, {
      headers: { host: 'shop.example', 'x-forwarded-for': '6.6.6.6', forwarded: 'for=6.6.6.6' },
    });
    const seen = legacy.seen.findLast((s) => s.url === '/orders/1');
    expect(seen?.headers).toMatchObject({
      host: 'shop.example',
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'shop.example',
      forwarded: 'for=127.0.0.1;proto=http;host="shop.example"',
    });
  });

  it('passes a request id and traceparent on, and generates a request id when there is none', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await send(`${proxy.url}/orders/2`, { headers: { 'x-request-id': 'req-123', traceparent } });
    expect(legacy.seen.findLast((s) => s.url === '/orders/2')?.headers).toMatchObject({
      'x-request-id': 'req-123',
      traceparent,
    });
    await send(`${proxy.url}/orders/3`);
    expect(legacy.seen.findLast((s) => s.url === '/orders/3')?.headers['x-request-id']).toMatch(
      /^[0-9a-f-]{36}$/,
    );
  });

  it('keeps repeated response headers such as set-cookie', async () => {
    const res = await send(`${proxy.url}/cookies`);
    expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2']);
  });

  it("prepends an upstream URL's path, and sends the upstream's host when preserveHost is off", async () => {
    expect((await send(`${proxy.url}/prefixed/x?q=1`)).json()).toMatchObject({
      url: '/base/prefixed/x?q=1',
    });
    await send(`${proxy.url}/renamed`, { headers: { host: 'shop.example' } });
    expect(fresh.seen.findLast((s) => s.url === '/renamed')?.headers).toMatchObject({
      host: `127.0.0.1:${fresh.port}`,
      'x-forwarded-host': 'shop.example',
    });
  });

  it('honours a signed override, strips the header, and counts ignored ones by reason', async () => {
    const header = 'x-strangler-override';
    const good = signOverride(OVERRIDE_SECRET, 'legacy', new Date(Date.now() + 60_000));
    const forged = signOverride(
      'not-the-right-secret-123456',
      'legacy',
      new Date(Date.now() + 60_000),
    );
    expect(
      (await send(`${proxy.url}/products/1/availability`, { headers: { [header]: good } })).json(),
    ).toMatchObject({ served: 'legacy' });
    expect(
      legacy.seen.findLast((s) => s.url === '/products/1/availability')?.headers[header],
    ).toBeUndefined();
    expect(
      (
        await send(`${proxy.url}/products/2/availability`, { headers: { [header]: 'legacy' } })
      ).json(),
    ).toMatchObject({ served: 'new' });
    expect(
      (
        await send(`${proxy.url}/products/3/availability`, { headers: { [header]: forged } })
      ).json(),
    ).toMatchObject({ served: 'new' });
    expect(
      fresh.seen.findLast((s) => s.url === '/products/3/availability')?.headers[header],
    ).toBeUndefined();
    const metrics = (await send(`${proxy.adminUrl}/metrics`)).text;
    expect(metrics).toContain('strangler_proxy_override_total{result="accepted"} 1');
    expect(metrics).toContain('strangler_proxy_override_total{result="unsigned"} 1');
    expect(metrics).toContain('strangler_proxy_override_total{result="bad_signature"} 1');
  });

  it('counts requests by route, upstream and status, with latency histograms', async () => {
    await send(`${proxy.url}/products/9/availability`);
    const metrics = (await admin(proxy.adminUrl as string, '/metrics')).text;
    expect(metrics).toMatch(
      /strangler_proxy_requests_total\{route="availability",upstream="new",status="200"\} \d+/,
    );
    expect(metrics).toMatch(
      /strangler_proxy_request_duration_seconds_bucket\{le="0\.005",route="availability",upstream="new"\} \d+/,
    );
    expect(metrics).toMatch(
      /strangler_proxy_requests_total\{route="_unmatched",upstream="legacy",status="200"\} \d+/,
    );
  });

  it('answers 100-continue requests', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${proxy.url}/orders/continue`, {
        method: 'POST',
        headers: { expect: '100-continue', 'content-length': '5' },
      });
      req.on('continue', () => req.end('hello'));
      req.on('response', (r) => {
        r.resume();
        resolve(r.statusCode ?? 0);
      });
      req.on('error', reject);
    });
    expect(status).toBe(200);
    expect(legacy.seen.findLast((s) => s.url === '/orders/continue')?.body.toString()).toBe(
      'hello',
    );
  });

  it('logs nothing per request by default but logs forwarding failures', () => {
    expect(log.lines.filter((l) => l.msg === 'request')).toEqual([]);
  });
});

describe('upstream failures', () => {
  it('answers 502 with a JSON error and logs a line when the upstream refuses connections', async () => {
    const log = capturingLogger();
    const port = await deadPort();
    const proxy = await proxyFor(
      {
        upstreams: { legacy: `http://127.0.0.1:${port}`, new: `http://127.0.0.1:${port}` },
        routes: [{ id: 'r', match: { path: '/r' }, mode: 'new' }],
      },
      { logger: log.logger },
    );
    for (const method of ['GET', 'POST'] as const) {
      const res = await send(`${proxy.url}/r`, {
        method,
        headers: { 'x-request-id': 'abc' },
        ...(method === 'POST' ? { body: 'payload' } : {}),
      });
      expect(res.status).toBe(502);
      expect(res.headers['content-type']).toContain('application/json');
      expect(res.json()).toEqual({
        error: 'bad_gateway',
        kind: 'unreachable',
        message: 'the new upstream is unreachable (ECONNREFUSED)',
        route: 'r',
        upstream: 'new',
        requestId: 'abc',
      });
    }
    expect(log.lines.find((l) => l.msg === 'forwarding failed')).toMatchObject({
      level: 40,
      route: 'r',
      upstream: 'new',
      kind: 'unreachable',
      requestId: 'abc',
    });
    await proxy.close();
  });

  it('answers 504 when the upstream does not answer within the response timeout', async () => {
    const slow = await startUpstream((_req, res) => setTimeout(() => res.end('late'), 3000));
    const proxy = await proxyFor({
      upstreams: { legacy: { url: slow.url, timeouts: { response: '200ms' } } },
    });
    const res = await send(`${proxy.url}/slow`);
    expect(res.status).toBe(504);
    expect(res.json()).toMatchObject({
      error: 'gateway_timeout',
      kind: 'timeout',
      upstream: 'legacy',
    });
    await proxy.close();
    await slow.close();
  });

  it('lets a route set a shorter response timeout than its upstream', async () => {
    const slow = await startUpstream((_req, res) => setTimeout(() => res.end('late'), 3000));
    const proxy = await proxyFor({
      upstreams: { legacy: slow.url, new: slow.url },
      routes: [{ id: 'quick', match: { path: '/quick' }, timeouts: { response: 150 } }],
    });
    expect((await send(`${proxy.url}/quick`)).status).toBe(504);
    await proxy.close();
    await slow.close();
  });

  it('closes the client connection instead of hanging when the upstream dies mid-response', async () => {
    const dying = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-length': '100000' });
      res.write('partial');
      setTimeout(() => res.socket?.destroy(), 50);
    });
    const proxy = await proxyFor({ upstreams: { legacy: dying.url } });
    await expect(send(`${proxy.url}/dies`)).rejects.toThrow();
    await proxy.close();
    await dying.close();
  });

  it('closes the client connection when the upstream stalls inside the body past the idle timeout', async () => {
    const stalling = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('part');
    });
    const proxy = await proxyFor({
      upstreams: { legacy: { url: stalling.url, timeouts: { idle: '200ms' } } },
    });
    await expect(send(`${proxy.url}/stall`)).rejects.toThrow();
    await proxy.close();
    await stalling.close();
  });

  it('aborts the upstream request when the client goes away', async () => {
    let upstreamSawClose!: () => void;
    const closed = new Promise<void>((r) => (upstreamSawClose = r));
    const hanging = await startUpstream();
    hanging.server.removeAllListeners('request');
    hanging.server.on('request', (_req, res) => res.on('close', () => upstreamSawClose()));
    const proxy = await proxyFor({ upstreams: { legacy: hanging.url } });
    const req = httpRequest(`${proxy.url}/hang`);
    req.on('error', () => undefined);
    req.end();
    await eventually(async () => {
      const m = await send(`${proxy.adminUrl}/metrics`);
      expect(m.text).toMatch(/strangler_proxy_in_flight_requests 1/);
    });
    req.destroy();
    await closed;
    await eventually(async () => {
      expect((await send(`${proxy.adminUrl}/metrics`)).text).toMatch(/status="499"\} 1/);
    });
    await proxy.close();
    await hanging.close();
  });

  it('logs one line per request when accessLog is on', async () => {
    const upstream = await startUpstream();
    const log = capturingLogger();
    const proxy = await proxyFor(
      { upstreams: { legacy: upstream.url }, accessLog: true },
      { logger: log.logger },
    );
    await send(`${proxy.url}/logged?x=1`, { headers: { 'x-request-id': 'r-9' } });
    expect(log.lines.find((l) => l.msg === 'request')).toMatchObject({
      requestId: 'r-9',
      method: 'GET',
      url: '/logged?x=1',
      route: '_unmatched',
      upstream: 'legacy',
      servedBy: 'legacy',
      status: 200,
    });
    await proxy.close();
    await upstream.close();
  });

  it('can turn the x-served-by header off', async () => {
    const upstream = await startUpstream();
    const proxy = await proxyFor({ upstreams: { legacy: upstream.url }, servedByHeader: false });
    expect((await send(`${proxy.url}/`)).headers['x-served-by']).toBeUndefined();
    await proxy.close();
    await upstream.close();
  });

  it('appends to client forwarding headers when told to trust them', async () => {
    const upstream = await startUpstream();
    const proxy = await proxyFor({
      upstreams: { legacy: upstream.url },
      trustForwardedHeaders: true,
    });
    await send(`${proxy.url}/`, {
      headers: {
        'x-forwarded-for': '10.0.0.1',
        'x-forwarded-proto': 'https',
        forwarded: 'for=10.0.0.1;proto=https',
      },
    });
    expect(upstream.seen[0]?.headers).toMatchObject({
      'x-forwarded-for': '10.0.0.1, 127.0.0.1',
      'x-forwarded-proto': 'https',
      forwarded: expect.stringMatching(/^for=10\.0\.0\.1;proto=https, for=127\.0\.0\.1;proto=http/),
    });
    await proxy.close();
    await upstream.close();
  });
});
