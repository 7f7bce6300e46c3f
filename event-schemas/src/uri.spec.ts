import { describe, expect, it } from 'vitest';
import { isAbsoluteUri, isUriReference } from './uri.js';

describe('isUriReference', () => {
  it.each([
    '/legacy/postgres/shop',
    'urn:strangler:legacy-adapter:shop',
    'https://shop.example.com/legacy?db=main#x',
    'pg://db.internal:5432/shop',
    'relative/path',
    'x',
    '//authority-only',
    'http://[::1]:8080/',
    '/with%20escape',
    "/sub-delims!$&'()*+,;=:@",
  ])('accepts %j', (value) => {
    expect(isUriReference(value)).toBe(true);
  });

  it.each([
    ['has a space', '/legacy postgres'],
    ['has a pipe', '/a|b'],
    ['has a bad percent escape', '/a%zz'],
    ['has two fragments', '/a#b#c'],
    ['has a colon in a first segment that is no scheme', '1abc:def'],
    ['has a backslash', '\\\\server\\share'],
    ['has a non-ASCII character', '/bücher'],
    ['has a bracket outside the host', '/a[0]'],
  ])('refuses a reference that %s', (_why, value) => {
    expect(isUriReference(value)).toBe(false);
  });
});

describe('isAbsoluteUri', () => {
  it('accepts a URI with a scheme', () => {
    expect(isAbsoluteUri('https://example.com/schemas/batch.json')).toBe(true);
    expect(isAbsoluteUri('urn:x:y')).toBe(true);
  });

  it('refuses a relative reference', () => {
    expect(isAbsoluteUri('/schemas/batch.json')).toBe(false);
    expect(isAbsoluteUri('schemas/batch.json')).toBe(false);
  });
});
