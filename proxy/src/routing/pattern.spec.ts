import { describe, expect, it } from 'vitest';
import { compilePattern, matchPath } from './pattern.js';

describe('compilePattern', () => {
  it('captures :params and decodes them', () => {
    const p = compilePattern('/products/:sku/availability');
    expect(p.params).toEqual(['sku']);
    expect(p.match('/products/A%20B/availability')).toEqual({ sku: 'A B' });
    expect(p.match('/products/x/y/availability')).toBeUndefined();
    expect(p.match('/products//availability')).toBeUndefined();
  });

  it('matches literal paths with or without a trailing slash, never a longer path', () => {
    const p = compilePattern('/orders');
    expect(p.test('/orders')).toBe(true);
    expect(p.test('/orders/')).toBe(true);
    expect(p.test('/orders/1')).toBe(false);
    expect(p.test('/ordersx')).toBe(false);
  });

  it('lets * match exactly one segment', () => {
    const p = compilePattern('/static/*/logo.png');
    expect(p.test('/static/v2/logo.png')).toBe(true);
    expect(p.test('/static/logo.png')).toBe(false);
    expect(p.test('/static/a/b/logo.png')).toBe(false);
  });

  it('lets a final ** match any rest, including none', () => {
    const p = compilePattern('/api/**');
    expect(p.test('/api')).toBe(true);
    expect(p.test('/api/')).toBe(true);
    expect(p.test('/api/a/b/c')).toBe(true);
    expect(p.test('/apix')).toBe(false);
    expect(compilePattern('/**').test('/anything/at/all')).toBe(true);
  });

  it('treats regex characters in literal segments literally', () => {
    const p = compilePattern('/v1.0/items+');
    expect(p.test('/v1.0/items+')).toBe(true);
    expect(p.test('/v1x0/itemss')).toBe(false);
  });

  it('matches only / for the root pattern', () => {
    const p = compilePattern('/');
    expect(p.test('/')).toBe(true);
    expect(p.test('/a')).toBe(false);
  });

  it.each([
    ['products', "must start with '/'"],
    ['/a/**/b', "'**' may only be the last segment"],
    ['/a/:id/:id', "parameter ':id' appears twice"],
    ['/a/b*', "'*' must be a whole segment"],
    ['/a/:1x', 'bad parameter'],
    ['/a?x=1', 'query string'],
    ['/a//b', 'empty segment'],
  ])('rejects %s, saying what to fix', (source, message) => {
    expect(() => compilePattern(source)).toThrow(message);
  });
});

describe('matchPath', () => {
  it('drops the query string', () => {
    expect(matchPath('/a/b?x=1')).toBe('/a/b');
  });

  it('resolves dot segments and repeated slashes so dressed-up paths match what upstreams serve', () => {
    expect(matchPath('/products/../admin/x')).toBe('/admin/x');
    expect(matchPath('//products/./1//availability')).toBe('/products/1/availability');
    expect(matchPath('/../../etc')).toBe('/etc');
  });

  it('takes the path of an absolute-form request target', () => {
    expect(matchPath('http://example.com/a/b?q=1')).toBe('/a/b');
  });
});
