import { describe, expect, it } from 'vitest';
import { compileRules, joinPointer, patternOf, ruleProblem, splitPointer } from './pointer.js';

describe('JSON pointers', () => {
  it('escapes ~ and / in keys and reads them back (RFC 6901)', () => {
    const p = joinPointer(['a/b', 'c~d', '0']);
    expect(p).toBe('/a~1b/c~0d/0');
    expect(splitPointer(p)).toEqual(['a/b', 'c~d', '0']);
    expect(splitPointer('')).toEqual([]);
  });

  it('turns array indices into * so one field of every element is one pattern', () => {
    expect(patternOf('/items/3/updatedAt')).toBe('/items/*/updatedAt');
    expect(patternOf('/items/10/tags/0')).toBe('/items/*/tags/*');
    expect(patternOf('/0a/01')).toBe('/0a/01');
    expect(patternOf('header:x-request-id')).toBe('header:x-request-id');
  });
});

describe('ignore rules', () => {
  it('matches a * against any one key or index, and covers what lies below the rule', () => {
    const test = compileRules(['/items/*/updatedAt', '/meta']);
    expect(test('/items/0/updatedAt')).toBe(true);
    expect(test('/items/17/updatedAt')).toBe(true);
    expect(test('/items/0/createdAt')).toBe(false);
    expect(test('/meta')).toBe(true);
    expect(test('/meta/trace/id')).toBe(true);
    expect(test('/metadata')).toBe(false);
    expect(test('/items/0/updatedAt/nanos')).toBe(true);
  });

  it('lets a final ** cover any rest, and names headers and the status case-insensitively', () => {
    const test = compileRules(['/debug/**', 'header:X-Generated-At', 'status']);
    expect(test('/debug')).toBe(true);
    expect(test('/debug/a/b/c')).toBe(true);
    expect(test('/debugger')).toBe(false);
    expect(test('header:x-generated-at')).toBe(true);
    expect(test('header:x-request-id')).toBe(false);
    expect(test('status')).toBe(true);
  });

  it('matches nothing without rules', () => {
    expect(compileRules([])('/anything')).toBe(false);
  });

  it('explains what is wrong with a malformed rule', () => {
    expect(ruleProblem('/items/*/updatedAt')).toBeUndefined();
    expect(ruleProblem('header:etag')).toBeUndefined();
    expect(ruleProblem('items/updatedAt')).toMatch(/starting with "\/"/);
    expect(ruleProblem('/a/**/b')).toMatch(/last token/);
    expect(ruleProblem('/a~2b')).toMatch(/~0/);
  });
});
