import { describe, expect, it } from 'vitest';
import { NewServiceError } from '../../errors.js';
import { route, splitTarget } from './routes.js';

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

describe('route', () => {
  it('decodes the sku and parses qty as node:querystring does', () => {
    expect(route('GET', '/products/a%2Fb/availability?qty=5')).toEqual({
      name: 'availability',
      sku: 'a/b',
      qty: '5',
    });
    expect(route('GET', '/products/X/availability?qty=1&qty=2')).toMatchObject({ qty: ['1', '2'] });
    expect(route('GET', '/products/X/availability')).toMatchObject({ qty: undefined });
  });

  it('matches any case and one trailing slash, not two', () => {
    expect(route('HEAD', '/PRODUCTS/X/AVAILABILITY/')).toMatchObject({ sku: 'X' });
    expect(refusal(() => route('GET', '/products/X/availability//')).status).toBe(404);
  });

  it('answers OPTIONS on a known path with the methods it serves', () => {
    expect(route('OPTIONS', '/products/X/availability')).toEqual({
      name: 'options',
      allow: 'GET, HEAD',
    });
  });

  it('names the method and raw path of an unknown route', () => {
    const err = refusal(() => route('DELETE', '/products/X/availability?qty=1'));
    expect([err.status, err.message]).toEqual([404, 'No route DELETE /products/X/availability']);
  });

  it('refuses an undecodable sku as a 400 naming the raw segment', () => {
    const err = refusal(() => route('GET', '/products/%E0%A4%A/availability'));
    expect([err.status, err.message]).toEqual([
      400,
      "path: Failed to decode param '%E0%A4%A' (invalid percent-encoding)",
    ]);
  });
});
