import { testDatabase, uniqueName } from '@strangler/tests/harness';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  caughtUp,
  events as e,
  kafkaTopic,
  publish,
  startService,
} from '../../testing/kafka.fixture.js';
import type { RunningService, ServiceStatus } from '@strangler/new-service';

const SKU = uniqueName('HTTP').toUpperCase();
let service: RunningService;
let reader: RunningService;
let lagging: ServiceStatus;

beforeAll(async () => {
  const database = await testDatabase('alloc_http');
  const { topic, producer } = await kafkaTopic(1);
  await publish(producer, topic, [
    e.product(SKU),
    e.batch(`${SKU}-wh`, SKU, 10),
    e.batch(`${SKU}-ship`, SKU, 20, '2030-06-01'),
    e.allocated('o1', SKU, 3, `${SKU}-wh`),
  ]);
  // A reader that consumes nothing reports the lag of the database it shares.
  reader = await startService({ databaseUrl: database.url, topic, consume: false });
  lagging = await reader.status();
  service = await startService({ databaseUrl: database.url, topic, group: uniqueName('g') });
  await caughtUp(service);
});

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${service.url}${path}`, { headers });

async function message(path: string): Promise<[number, string]> {
  const res = await get(path);
  return [res.status, ((await res.json()) as { message: string }).message];
}

describe('GET /products/:sku/availability', () => {
  it('answers the legacy fields in the legacy order, noise last', async () => {
    const res = await get(`/products/${SKU}/availability?qty=8`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual([
      'sku',
      'requestedQty',
      'availableNow',
      'totalAvailable',
      'batches',
      'canFulfil',
      'earliestDate',
      'generatedAt',
      'requestId',
    ]);
    expect(body).toMatchObject({
      sku: SKU,
      requestedQty: 8,
      availableNow: 7,
      totalAvailable: 27,
      batches: [
        { ref: `${SKU}-wh`, eta: null, available: 7 },
        { ref: `${SKU}-ship`, eta: '2030-06-01', available: 20 },
      ],
      canFulfil: true,
      earliestDate: '2030-06-01',
    });
    expect(body.requestId).toBe(res.headers.get('x-request-id'));
    expect(body.generatedAt).toBe(res.headers.get('x-generated-at'));
    expect(body.generatedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('keeps a plausible caller request id and replaces anything else with a UUID', async () => {
    const kept = await get(`/products/${SKU}/availability`, { 'x-request-id': 'trace-42' });
    expect(kept.headers.get('x-request-id')).toBe('trace-42');
    expect(((await kept.json()) as { requestId: string }).requestId).toBe('trace-42');
    const replaced = await get(`/products/${SKU}/availability`, { 'x-request-id': 'has space' });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    '?qty=0',
    '?qty=-1',
    '?qty=abc',
    '?qty=1.5',
    '?qty=',
    '?qty=2147483648',
    '?qty=1&qty=2',
  ])('answers 400 naming qty for %s', async (query) => {
    expect(await message(`/products/${SKU}/availability${query}`)).toEqual([
      400,
      'qty must be an integer between 1 and 2147483647',
    ]);
  });

  it('answers 404 "Invalid sku" for an unknown sku, with the noise fields too', async () => {
    const res = await get('/products/NO-SUCH-SKU/availability');
    expect(res.status).toBe(404);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['message', 'generatedAt', 'requestId']);
    expect(body.message).toBe('Invalid sku NO-SUCH-SKU');
    expect(res.headers.get('x-request-id')).toBe(body.requestId);
  });

  it('refuses a bad sku path segment with the legacy messages', async () => {
    expect(await message(`/products/${'x'.repeat(256)}/availability`)).toEqual([
      400,
      'sku must be at most 255 characters',
    ]);
    expect(await message('/products/%01/availability')).toEqual([
      400,
      'sku must not contain control characters or lone surrogates',
    ]);
    expect(await message('/products/%E0%A4%A/availability')).toEqual([
      400,
      "path: Failed to decode param '%E0%A4%A' (invalid percent-encoding)",
    ]);
  });

  it('routes like express: any case, one trailing slash, HEAD without a body', async () => {
    expect((await get(`/PRODUCTS/${SKU}/Availability/`)).status).toBe(200);
    const head = await fetch(`${service.url}/products/${SKU}/availability`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(0);
    expect(await head.text()).toBe('');
  });

  it('answers an unknown route or method 404 "No route"', async () => {
    expect(await message('/nope?x=1')).toEqual([404, 'No route GET /nope']);
    const post = await fetch(`${service.url}/products/${SKU}/availability`, { method: 'POST' });
    expect(post.status).toBe(404);
    expect(((await post.json()) as { message: string }).message).toBe(
      `No route POST /products/${SKU}/availability`,
    );
  });
});

describe('OPTIONS', () => {
  it('answers the methods of a known path as text, with the noise headers', async () => {
    const res = await fetch(`${service.url}/products/${SKU}/availability`, { method: 'OPTIONS' });
    expect(res.status).toBe(200);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(res.headers.get('x-generated-at')).toMatch(/Z$/);
    expect(await res.text()).toBe('GET, HEAD');
  });
});

describe('GET /status and /healthz', () => {
  it('reports the lag and caughtUp: false while events wait to be applied', () => {
    expect(lagging).toMatchObject({
      lag: 4,
      caughtUp: false,
      ready: false,
      consumers: [
        {
          name: 'allocation',
          state: 'disabled',
          partitions: [{ partition: 0, nextOffset: null, highWatermark: 4, lag: 4 }],
          lag: 4,
          caughtUp: false,
        },
      ],
    });
  });

  it('reports each partition caught up once everything is applied, for every instance on the database', async () => {
    for (const instance of [service, reader]) {
      const res = await fetch(`${instance.url}/status`);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-generated-at')).toMatch(/Z$/);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).not.toHaveProperty('requestId');
      expect(body).toMatchObject({
        lag: 0,
        caughtUp: true,
        ready: true,
        consumers: [
          {
            partitions: [
              { partition: 0, nextOffset: 4, highWatermark: 4, lowWatermark: 0, lag: 0 },
            ],
            deadLetters: 0,
          },
        ],
      });
    }
  });

  it('answers /healthz 200 {"status":"ok"} with the noise headers only', async () => {
    const res = await get('/healthz');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(await res.json()).toEqual({ status: 'ok' });
  });
});
