import { describe, expect, it } from 'vitest';
import { diffLines, lines } from './text-diff.js';

describe('line diff', () => {
  it('finds nothing between texts that differ only in line endings', () => {
    expect(diffLines('a\r\nb\r\n', 'a\nb\n', 10).entries).toEqual([]);
    expect(lines('a\nb\n')).toEqual(['a', 'b']);
  });

  it('aligns the texts and reports lines only in legacy and lines only in the candidate', () => {
    const legacy = 'header\none\ntwo\nthree\nfooter';
    const candidate = 'header\none\n2\nthree\nfour\nfooter';
    expect(diffLines(legacy, candidate, 10).entries).toEqual([
      { pointer: 'line:3', kind: 'missing', legacy: 'two' },
      { pointer: 'line:3', kind: 'extra', candidate: '2' },
      { pointer: 'line:5', kind: 'extra', candidate: 'four' },
    ]);
  });

  it('caps the listed lines and counts the others', () => {
    const result = diffLines('a\nb\nc\nd', 'w\nx\ny\nz', 3);
    expect(result.entries).toHaveLength(3);
    expect(result.more).toBe(5);
  });
});
