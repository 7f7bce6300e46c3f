import { describe, expect, it } from 'vitest';
import { NewServiceError } from '../errors.js';
import { decodeParams, get, post, route, Router, splitTarget } from './router.js';

const ok = async () => ({ ok: true });
const router = new Router(
  [
    get('/products/:sku/availability', ok),
    post('/products/:sku/availability', ok),
    get('/healthz', ok),
    get('/', ok),
  ].map((r) => ({ route: r, builtin: false })),
);

function refusal(fn: () => unknown): NewServiceError {
  try {
    fn();
  } catch (err) {
    if (err instanceof NewServiceError) return err;
    throw err;
  }
  throw new Error('expected a NewServiceError');
}

describe('splitTarget', () => {
  it('splits path and query, dropping a fragment', () => {
    expect(splitTarget('/a/b?qty=1#frag')).toEqual({ path: '/a/b', query: 'qty=1' });
    expect(splitTarget('/a#b?c')).toEqual({ path: '/a', query: '' });
  });

  it('routes an absolute-form target on its path', () => {
    expect(splitTarget('http://example.com/healthz?x=1')).toEqual({
      path: '/healthz',
      query: 'x=1',
    });
  });
});

describe('Router', () => {
  it('matches parameters undecoded, in any case, with one trailing slash but not two', () => {
    expect(router.match('GET', '/PRODUCTS/a%2Fb/Availability/')).toMatchObject({
      kind: 'route',
      rawParams: { sku: 'a%2Fb' },
    });
    expect(refusal(() => router.match('GET', '/products/X/availability//')).status).toBe(404);
    expect(router.match('GET', '/')).toMatchObject({ kind: 'route' });
  });

  it('serves HEAD with the GET route', () => {
    expect(router.match('HEAD', '/healthz')).toMatchObject({
      kind: 'route',
      entry: { route: { method: 'GET' } },
    });
  });

  it('answers OPTIONS with the methods of the path, HEAD included', () => {
    expect(router.match('OPTIONS', '/products/X/availability')).toEqual({
      kind: 'options',
      allow: 'GET, HEAD, POST',
    });
  });

  it('names the method and raw path of an unknown route or method', () => {
    const err = refusal(() => router.match('DELETE', '/products/X/availability'));
    expect([err.status, err.message]).toEqual([404, 'No route DELETE /products/X/availability']);
    expect(refusal(() => router.match('OPTIONS', '/nope')).message).toBe('No route OPTIONS /nope');
  });

  it('refuses an undecodable parameter as a 400 naming the raw segment', () => {
    expect(decodeParams({ sku: 'a%2Fb' })).toEqual({ sku: 'a/b' });
    const err = refusal(() => decodeParams({ sku: '%E0%A4%A' }));
    expect([err.status, err.message]).toEqual([
      400,
      "path: Failed to decode param '%E0%A4%A' (invalid percent-encoding)",
    ]);
  });

  it('refuses bad route declarations, naming them', () => {
    expect(() => get('products', ok)).toThrow('route path "products" must start with /');
    expect(() => get('/a/:x/:x', ok)).toThrow('route path /a/:x/:x repeats :x');
    expect(() => route('TRACE' as 'GET', '/a', ok)).toThrow(/must be one of GET, POST/);
    expect(
      () =>
        new Router([
          { route: get('/a', ok), builtin: false },
          { route: get('/A/', ok), builtin: false },
        ]),
    ).toThrow('two routes answer GET /A/');
  });
});
