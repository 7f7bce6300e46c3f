import { describe, expect, it } from 'vitest';
import { diffJson } from './json-diff.js';
import { compileNormalizers, NO_NORMALIZERS } from './normalize.js';
import { compileRules } from './pointer.js';

const plain = { ignore: compileRules([]), normalizers: NO_NORMALIZERS, maxEntries: 100 };

describe('structural JSON diff', () => {
  it('finds nothing between documents that differ only in key order', () => {
    expect(
      diffJson({ a: 1, b: [1, 2], c: { d: null } }, { c: { d: null }, b: [1, 2], a: 1 }, plain)
        .entries,
    ).toEqual([]);
  });

  it('names every difference by JSON pointer with its kind and both values', () => {
    const legacy = { sku: 'RUG', qty: 3, eta: null, tags: ['a', 'b'], gone: true, 'a/b': 1 };
    const candidate = { sku: 'RUG', qty: 4, eta: '2030-01-01', tags: ['a'], added: 1, 'a/b': 2 };
    expect(diffJson(legacy, candidate, plain).entries).toEqual([
      { pointer: '/qty', kind: 'value', legacy: 3, candidate: 4 },
      { pointer: '/eta', kind: 'type', legacy: null, candidate: '2030-01-01' },
      { pointer: '/tags/1', kind: 'missing', legacy: 'b' },
      { pointer: '/gone', kind: 'missing', legacy: true },
      { pointer: '/a~1b', kind: 'value', legacy: 1, candidate: 2 },
      { pointer: '/added', kind: 'extra', candidate: 1 },
    ]);
  });

  it('reports a whole-document type change at the root pointer', () => {
    expect(diffJson([1], { a: 1 }, plain).entries).toEqual([
      { pointer: '', kind: 'type', legacy: [1], candidate: { a: 1 } },
    ]);
  });

  it('skips fields covered by ignore rules, including wildcards', () => {
    const options = { ...plain, ignore: compileRules(['/items/*/updatedAt', '/generatedAt']) };
    const legacy = {
      generatedAt: 't1',
      items: [
        { id: 1, updatedAt: 'x' },
        { id: 2, updatedAt: 'y' },
      ],
    };
    const candidate = {
      generatedAt: 't2',
      items: [
        { id: 1, updatedAt: 'z' },
        { id: 3, updatedAt: 'w' },
      ],
    };
    expect(diffJson(legacy, candidate, options).entries).toEqual([
      { pointer: '/items/1/id', kind: 'value', legacy: 2, candidate: 3 },
    ]);
  });

  it('sorts arrays whose order does not matter by a key before comparing', () => {
    const normalizers = compileNormalizers({
      sortArrays: [{ pointer: '/items', by: 'sku' }, { pointer: '/tags' }],
    });
    const legacy = {
      items: [
        { sku: 'B', qty: 1 },
        { sku: 'A', qty: 2 },
      ],
      tags: ['x', 'y'],
    };
    const candidate = {
      items: [
        { sku: 'A', qty: 2 },
        { sku: 'B', qty: 1 },
      ],
      tags: ['y', 'x'],
    };
    expect(diffJson(legacy, candidate, { ...plain, normalizers }).entries).toEqual([]);
    expect(diffJson(legacy, candidate, plain).entries.length).toBeGreaterThan(0);
  });

  it('treats numbers within a tolerance as equal, and only where the normalizer applies', () => {
    const normalizers = compileNormalizers({
      numbers: [
        { pointer: '/items/*/price', tolerance: 0.01 },
        { pointer: '/ratio', relative: 0.001 },
      ],
    });
    const options = { ...plain, normalizers };
    expect(
      diffJson(
        { items: [{ price: 9.99 }], ratio: 1000 },
        { items: [{ price: 9.991 }], ratio: 1000.5 },
        options,
      ).entries,
    ).toEqual([]);
    expect(
      diffJson(
        { items: [{ price: 9.99 }], qty: 1 },
        { items: [{ price: 10.1 }], qty: 1.001 },
        options,
      ).entries.map((e) => e.pointer),
    ).toEqual(['/items/0/price', '/qty']);
  });

  it('lists at most maxEntries differences and counts the rest', () => {
    const a = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, i]));
    const b = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, i + 1]));
    const result = diffJson(a, b, { ...plain, maxEntries: 3 });
    expect(result.entries).toHaveLength(3);
    expect(result.more).toBe(7);
  });
});
