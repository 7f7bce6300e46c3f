import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '@strangler/tests/harness';
import pg from 'pg';
import { pino } from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { fresh, startTestApp, type TestApp } from '../testing/test-app.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp('http');
});

describe('GET /healthz', () => {
  it('answers 200 {"status":"ok"} when the database answers', async () => {
    const res = await app.call('GET', '/healthz');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
  });

  it('answers 503 when the database cannot be reached, and other routes do too', async () => {
    const pool = new pg.Pool({
      connectionString: `postgres://nobody@127.0.0.1:${await freePort()}/none`,
      connectionTimeoutMillis: 2000,
    });
    const server = createServer(createApp({ pool, logger: pino({ level: 'silent' }) }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const health = await fetch(`${base}/healthz`);
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({ message: 'Database unavailable' });
      const allocate = await fetch(`${base}/allocate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ orderid: 'o', sku: 's', qty: 1 }),
      });
      expect(allocate.status).toBe(503);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await pool.end();
    }
  });
});

describe('response noise', () => {
  it('adds x-request-id, x-generated-at and the same values as body fields to object bodies', async () => {
    const sku = fresh('SKU');
    const res = await app.addBatch(fresh('b'), sku, 1);
    const requestId = res.headers.get('x-request-id');
    expect(requestId).toMatch(UUID);
    expect(res.headers.get('x-generated-at')).toMatch(ISO_TIME);
    expect(res.body.requestId).toBe(requestId);
    expect(res.body.generatedAt).toBe(res.headers.get('x-generated-at'));
  });

  it("keeps the caller's x-request-id, and replaces one that is not a plain token", async () => {
    const kept = await app.call('GET', '/healthz', undefined, { 'x-request-id': 'trace-42' });
    expect(kept.headers.get('x-request-id')).toBe('trace-42');
    expect(kept.body.requestId).toBe('trace-42');
    const replaced = await app.call('GET', '/healthz', undefined, {
      'x-request-id': 'x'.repeat(201),
    });
    expect(replaced.headers.get('x-request-id')).toMatch(UUID);
  });

  it('gives a new request id to every request without one', async () => {
    const [a, b] = await Promise.all([app.call('GET', '/healthz'), app.call('GET', '/healthz')]);
    expect(a.body.requestId).not.toBe(b.body.requestId);
  });

  it('puts the noise in headers only when the body is an array', async () => {
    const [sku, orderid] = [fresh('SKU'), fresh('o')];
    await app.addBatch(fresh('b'), sku, 5);
    await app.allocate(orderid, sku, 1);
    const res = await app.call('GET', `/allocations/${orderid}`);
    expect(Array.isArray(res.body)).toBe(true);
    expect(Object.keys(res.body[0]).sort()).toEqual(['batchref', 'orderid', 'qty', 'sku']);
    expect(res.headers.get('x-request-id')).toMatch(UUID);
    expect(res.headers.get('x-generated-at')).toMatch(ISO_TIME);
  });

  it('is on error answers too', async () => {
    const res = await app.call('POST', '/allocate', { sku: 'x' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      message: 'orderid is required',
      generatedAt: res.headers.get('x-generated-at'),
      requestId: res.headers.get('x-request-id'),
    });
  });
});

describe('requests no route or parser accepts', () => {
  it('answers 404 JSON with the noise for an unknown route or method', async () => {
    for (const [method, path] of [
      ['GET', '/nowhere'],
      ['DELETE', '/batches/x'],
      ['GET', '/allocate'],
    ] as const) {
      const res = await app.call(method, path);
      expect(res.status).toBe(404);
      expect(res.body.message).toBe(`No route ${method} ${path}`);
      expect(res.body.requestId).toBe(res.headers.get('x-request-id'));
    }
  });

  it('answers 400 for a body that is not valid JSON', async () => {
    const res = await app.call('POST', '/allocate', '{"orderid": ');
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/^body is not valid JSON/);
  });

  it('answers 413 for a body over 100kb', async () => {
    const res = await app.call('POST', '/batches', { ref: 'x'.repeat(200_000), sku: 'S', qty: 1 });
    expect(res.status).toBe(413);
    expect(res.body.message).toBe('body is larger than 100kb');
  });

  it('answers 415 for a body in an unsupported charset', async () => {
    const res = await app.call('POST', '/batches', '{}', {
      'content-type': 'application/json; charset=klingon',
    });
    expect(res.status).toBe(415);
    expect(res.body.message).toMatch(/^body: /);
  });
});
