import { describe, expect, it } from 'vitest';
import { percentile, SampleWindow } from './window.js';

const sample = (at: number, outcome: 'match' | 'mismatch' | 'failed', ms = 1, error = false) => ({
  at,
  outcome,
  legacyMs: ms,
  legacyError: false,
  candidateMs: ms * 2,
  candidateError: error,
});

describe('SampleWindow', () => {
  it('computes match rate, percentiles and error rates of both sides since a time', () => {
    const w = new SampleWindow(100);
    for (let i = 1; i <= 10; i++) w.add(sample(1000 + i, i <= 8 ? 'match' : 'mismatch', i));
    w.add(sample(2000, 'failed', 50, true));
    w.add(sample(10, 'mismatch'));
    const f = w.figures(1000);
    expect(f).toMatchObject({ compared: 10, matched: 8, matchRate: 0.8 });
    expect(f.legacy).toEqual({ count: 11, p50Ms: 6, p99Ms: 50, errorRate: 0 });
    expect(f.candidate).toMatchObject({ count: 11, p50Ms: 12, errorRate: 1 / 11 });
  });

  it('forgets the oldest samples once full, and reports nothing before the first', () => {
    const w = new SampleWindow(3);
    expect(w.figures(0)).toMatchObject({
      compared: 0,
      matchRate: null,
      legacy: { count: 0, p50Ms: null },
    });
    for (let i = 0; i < 5; i++) w.add(sample(i, i < 2 ? 'mismatch' : 'match'));
    expect(w.figures(0)).toMatchObject({ compared: 3, matched: 3 });
    expect(w.added).toBe(5);
  });

  it('takes the nearest-rank percentile', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 99)).toBe(4);
    expect(percentile([], 50)).toBeNull();
  });
});
