import { describe, expect, it } from 'vitest';
import { mergeFigures } from './fleet-figures.js';

const side = (count: number, p99Ms: number | null, errorRate: number | null) => ({
  count,
  p50Ms: p99Ms === null ? null : p99Ms / 2,
  p99Ms,
  errorRate,
});

describe('mergeFigures', () => {
  it('adds counts and errors up, keeps the worst percentile and the latest stage start', () => {
    const merged = mergeFigures([
      {
        replica: 'a',
        figures: {
          compared: 90,
          matched: 90,
          matchRate: 1,
          legacy: side(100, 10, 0),
          candidate: side(100, 12, 0.1),
          since: 1000,
        },
      },
      {
        replica: 'b',
        figures: {
          compared: 10,
          matched: 5,
          matchRate: 0.5,
          legacy: side(10, 30, 0),
          candidate: side(10, 8, 0),
          since: 1500,
        },
      },
    ]);
    expect(merged).toEqual({
      compared: 100,
      matched: 95,
      matchRate: 0.95,
      legacy: { count: 110, p50Ms: 15, p99Ms: 30, errorRate: 0 },
      candidate: { count: 110, p50Ms: 6, p99Ms: 12, errorRate: 10 / 110 },
      since: 1500,
    });
  });

  it('answers no rates for a fleet that compared nothing', () => {
    const none = { count: 0, p50Ms: null, p99Ms: null, errorRate: null };
    const merged = mergeFigures([
      {
        replica: 'a',
        figures: {
          compared: 0,
          matched: 0,
          matchRate: null,
          legacy: none,
          candidate: none,
          since: 5,
        },
      },
    ]);
    expect([merged.matchRate, merged.legacy, merged.since]).toEqual([null, none, 5]);
  });
});
