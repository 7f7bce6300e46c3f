import { testDatabase } from '@strangler/tests/harness';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { badRequest, NewServiceError, notFound, rejected } from '../errors.js';
import { startService } from '../service.js';
import { quietLogger, startTestService, waitFor } from '../testing/kafka.fixture.js';
import type { ReadCacheHandle, RunningService } from '../types.js';
import { json, text } from './reply.js';
import { get, post } from './router.js';

let service: RunningService;
let databaseUrl: string;

beforeAll(async () => {
  const db = await testDatabase('kit_http');
  databaseUrl = db.url;
  service = await startTestService({
    databaseUrl: db.url,
    migrations: ['CREATE TABLE IF NOT EXISTS note (id text PRIMARY KEY, body text NOT NULL)'],
    http: {
      maxBodyBytes: 64,
      finalizeReply: (reply, info) => {
        reply.headers['x-route'] = info.route?.path ?? 'none';
        if (info.locals.stamp) reply.headers['x-stamp'] = String(info.locals.stamp);
      },
    },
    routes: () => [
      get('/notes/:id', async ({ params, pool, query, locals }) => {
        locals.stamp = 'read';
        const { rows } = await pool.query('SELECT body FROM note WHERE id = $1', [params.id]);
        if (!rows[0]) throw notFound(`No note ${params.id}`);
        return { id: params.id, body: rows[0].body, upper: query.upper === '1' };
      }),
      post('/notes/:id', async ({ params, json: body, pool }) => {
        const input = (await body()) as { body?: unknown };
        if (typeof input?.body !== 'string') throw badRequest('body must be a string');
        await pool.query('INSERT INTO note VALUES ($1, $2)', [params.id, input.body]);
        return json(
          { created: params.id },
          { status: 201, headers: { location: `/notes/${params.id}` } },
        );
      }),
      get('/text', () => text('plain words')),
      get('/empty', () => undefined),
      get('/refused', () => {
        throw rejected('over_limit', 'Too many notes');
      }),
      get('/teapot', () => {
        throw new NewServiceError('bad_request', 'short and stout', { status: 418 });
      }),
      get('/bug', () => {
        throw new Error('secret internals');
      }),
    ],
  });
});

const call = (path: string, init?: RequestInit) => fetch(`${service.url}${path}`, init);

describe('routes', () => {
  it('answers a handler value as JSON 200 with decoded params and the parsed query', async () => {
    await call('/notes/a%20b', { method: 'POST', body: JSON.stringify({ body: 'hello' }) });
    const res = await call('/notes/a%20b?upper=1');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.json()).toEqual({ id: 'a b', body: 'hello', upper: true });
  });

  it('answers json(...) and text(...) with their status and headers, undefined with 204', async () => {
    const created = await call('/notes/n1', { method: 'POST', body: '{"body":"x"}' });
    expect([created.status, created.headers.get('location')]).toEqual([201, '/notes/n1']);
    const plain = await call('/text');
    expect([plain.headers.get('content-type'), await plain.text()]).toEqual([
      'text/plain; charset=utf-8',
      'plain words',
    ]);
    expect((await call('/empty')).status).toBe(204);
  });

  it('reads a JSON body and refuses one that is not JSON or too big', async () => {
    const bad = await call('/notes/n2', { method: 'POST', body: '{nope' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(
      /^request body is not JSON/,
    );
    const big = await call('/notes/n3', {
      method: 'POST',
      body: JSON.stringify({ body: 'x'.repeat(100) }),
    });
    expect([big.status, await big.json()]).toEqual([
      413,
      { message: 'request body is larger than 64 bytes' },
    ]);
  });

  it('maps NewServiceError to its status and message, a rejection with its reason code', async () => {
    expect([(await call('/notes/none')).status]).toEqual([404]);
    const refused = await call('/refused');
    expect([refused.status, await refused.json()]).toEqual([
      422,
      { message: 'Too many notes', code: 'over_limit' },
    ]);
    expect((await call('/teapot')).status).toBe(418);
  });

  it('answers an unexpected error 500 without its message', async () => {
    const res = await call('/bug');
    expect([res.status, await res.json()]).toEqual([500, { message: 'Internal server error' }]);
  });

  it('keeps a plausible caller request id and replaces anything else with a UUID', async () => {
    expect(
      (await call('/text', { headers: { 'x-request-id': 'trace-42' } })).headers.get(
        'x-request-id',
      ),
    ).toBe('trace-42');
    expect(
      (await call('/text', { headers: { 'x-request-id': 'has space' } })).headers.get(
        'x-request-id',
      ),
    ).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("runs finalizeReply on every answer, errors and unknown routes included, with the handler's locals", async () => {
    const read = await call('/notes/n1');
    expect([read.headers.get('x-route'), read.headers.get('x-stamp')]).toEqual([
      '/notes/:id',
      'read',
    ]);
    expect((await call('/nowhere')).headers.get('x-route')).toBe('none');
    expect((await call('/healthz')).headers.get('x-route')).toBe('/healthz');
  });

  it('answers HEAD with the headers of GET and no body, OPTIONS with the allowed methods', async () => {
    const head = await call('/notes/n1', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(0);
    expect(await head.text()).toBe('');
    const options = await call('/notes/n1', { method: 'OPTIONS' });
    expect([options.status, options.headers.get('allow'), await options.text()]).toEqual([
      200,
      'GET, HEAD, POST',
      'GET, HEAD, POST',
    ]);
  });

  it('answers an unknown route 404 "No route METHOD /path"', async () => {
    const res = await call('/nope?x=1', { method: 'DELETE' });
    expect([res.status, await res.json()]).toEqual([404, { message: 'No route DELETE /nope' }]);
  });

  it('serves /healthz and /status without consumers', async () => {
    expect(await (await call('/healthz')).json()).toEqual({ status: 'ok' });
    expect(await (await call('/status')).json()).toMatchObject({
      lag: 0,
      caughtUp: true,
      ready: true,
      consumers: [],
    });
  });
});

describe('routes as a function of the service resources', () => {
  it('gets a read cache started with the service and invalidated by NOTIFY, and runs onClose at close', async () => {
    let reads = 0;
    let closed = false;
    let cache!: ReadCacheHandle<number>;
    const running = await startService({
      databaseUrl,
      port: 0,
      host: '127.0.0.1',
      logger: quietLogger(),
      routes: ({ readCache, onClose }) => {
        cache = readCache({ channel: 'counter_changed', read: async () => ++reads });
        onClose(() => void (closed = true));
        return [get('/counter', () => cache.get('c'))];
      },
    });
    await waitFor(() => cache.listening);
    const read = async () => (await fetch(`${running.url}/counter`)).json();
    expect([await read(), await read()]).toEqual([1, 1]);
    const notifier = new pg.Client({ connectionString: databaseUrl });
    await notifier.connect();
    await notifier.query(`SELECT pg_notify('counter_changed', 'c')`);
    await notifier.end();
    await waitFor(async () => (await read()) === 2);
    await running.close();
    expect(closed).toBe(true);
  });
});

describe('graceful stop', () => {
  it('lets a request in flight finish, then refuses new connections', async () => {
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const running = await startService({
      databaseUrl,
      port: 0,
      host: '127.0.0.1',
      logger: quietLogger(),
      routes: [
        get('/slow', async () => {
          entered();
          await gate;
          return { done: true };
        }),
      ],
    });
    const slow = fetch(`${running.url}/slow`);
    await inside;
    const closing = running.close();
    release();
    const res = await slow;
    expect([res.status, await res.json()]).toEqual([200, { done: true }]);
    await closing;
    await expect(fetch(`${running.url}/healthz`)).rejects.toThrow();
  });
});
