import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proxyFor } from '../testing/proxy.js';
import { admin, eventually, send } from '../testing/support.js';
import { startUpstream, type TestUpstream } from '../testing/upstream.js';
import type { Exchange, ExchangeHook, StartedProxy } from '../types.js';

describe('exchange hook (where shadow comparison plugs in)', () => {
  let upstream: TestUpstream;
  let proxy: StartedProxy;
  const exchanges: Exchange[] = [];

  beforeAll(async () => {
    upstream = await startUpstream((_req, res, body) => {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ got: body.length }));
    });
    const hook: ExchangeHook = {
      select: (r) =>
        r.route?.mode === 'shadow' ? { requestBodyBytes: 8, responseBodyBytes: 1024 } : false,
      onExchange(e) {
        exchanges.push(e);
      },
    };
    proxy = await proxyFor(
      {
        upstreams: { legacy: upstream.url, new: upstream.url },
        routes: [
          { id: 'orders', match: { path: '/orders' }, mode: 'shadow' },
          { id: 'boom', match: { path: '/boom' }, mode: 'shadow' },
        ],
      },
      { exchangeHook: hook },
    );
  });
  afterAll(async () => {
    await proxy.close();
    await upstream.close();
  });

  it('hands over the request (body captured up to the cap) and the primary response once the response is sent', async () => {
    const res = await send(`${proxy.url}/orders?x=1`, {
      method: 'POST',
      body: 'a body longer than eight bytes',
      headers: { 'x-request-id': 'rid-1' },
    });
    expect(res.status).toBe(201);
    await eventually(() => expect(exchanges).toHaveLength(1));
    const [e] = exchanges as [Exchange];
    expect(e).toMatchObject({
      route: { id: 'orders', mode: 'shadow' },
      servedBy: 'legacy',
      upstream: 'legacy',
      reason: 'mode',
    });
    expect(e.request).toMatchObject({
      method: 'POST',
      url: '/orders?x=1',
      requestId: 'rid-1',
      bodyBytes: 30,
      bodyTruncated: true,
      bodyComplete: true,
    });
    expect(e.request.body?.toString()).toBe('a body l');
    expect(e.response).toMatchObject({
      status: 201,
      bodyBytes: 10,
      bodyTruncated: false,
      headers: { 'content-type': 'application/json' },
    });
    expect(e.response.body?.toString()).toBe('{"got":30}');
    expect(upstream.seen.at(-1)?.body.toString()).toBe('a body longer than eight bytes');
  });

  it('is not called for requests it did not select', async () => {
    const before = exchanges.length;
    await send(`${proxy.url}/elsewhere`);
    await send(`${proxy.url}/orders`);
    await eventually(() => expect(exchanges.length).toBe(before + 1));
    expect(exchanges.at(-1)?.request.url).toBe('/orders');
  });

  it('never lets a throwing hook reach the client, and counts the error', async () => {
    const p = await proxyFor(
      { upstreams: { legacy: upstream.url } },
      {
        exchangeHook: {
          select: () => ({ requestBodyBytes: 0, responseBodyBytes: 0 }),
          onExchange: () => {
            throw new Error('comparison bug');
          },
        },
      },
    );
    expect((await send(`${p.url}/x`)).status).toBe(201);
    await eventually(async () => {
      expect((await admin(p.adminUrl as string, '/metrics')).text).toContain(
        'strangler_proxy_exchange_hook_errors_total 1',
      );
    });
    await p.close();
  });
});
