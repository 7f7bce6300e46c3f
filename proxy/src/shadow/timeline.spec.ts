import { describe, expect, it } from 'vitest';
import { Timeline } from './timeline.js';

const sample = (outcome: 'match' | 'mismatch' | 'failed', legacyMs = 1, candidateMs = 2) => ({
  at: 0,
  outcome,
  legacyMs,
  legacyError: false,
  candidateMs,
  candidateError: false,
});

const T0 = 1_700_000_000_000; // a multiple of 10 s

describe('Timeline', () => {
  it('puts comparisons into fixed intervals with match rate and both sides p50/p99', () => {
    const t = new Timeline(10_000, 360, T0);
    t.setStage('shadow', T0);
    for (let i = 1; i <= 100; i++) t.add(sample(i <= 90 ? 'match' : 'mismatch', i, 2 * i), T0 + i);
    t.add(sample('failed', 5, 1000), T0 + 9_000);
    t.add(sample('match', 3, 3), T0 + 12_000);
    const [first, second, ...rest] = t.list(T0 + 15_000);
    expect(rest).toEqual([]);
    expect(first).toMatchObject({
      from: new Date(T0).toISOString(),
      to: new Date(T0 + 10_000).toISOString(),
      stage: 'shadow',
      compared: 100,
      matched: 90,
      failed: 1,
      matchRate: 0.9,
      legacy: { p50Ms: 50, p99Ms: 99 },
      candidate: { p50Ms: 102, p99Ms: 200 }, // the failed copy counts in latency too
    });
    expect(first).not.toHaveProperty('partial');
    expect(second).toMatchObject({ compared: 1, matchRate: 1, partial: true });
  });

  it('ends the running interval at a switch, so no point mixes two stages', () => {
    const t = new Timeline(10_000, 360, T0);
    t.setStage('shadow', T0);
    t.add(sample('mismatch'), T0 + 1_000);
    t.setStage('canary:10', T0 + 4_000);
    t.add(sample('match'), T0 + 5_000);
    const points = t.list(T0 + 11_000);
    expect(points.map((p) => [p.stage, p.matchRate, p.to])).toEqual([
      ['shadow', 0, new Date(T0 + 4_000).toISOString()],
      ['canary:10', 1, new Date(T0 + 10_000).toISOString()],
      ['canary:10', null, new Date(T0 + 11_000).toISOString()],
    ]);
  });

  it('shows idle intervals as empty points and keeps only the newest', () => {
    const t = new Timeline(10_000, 5, T0);
    t.setStage('shadow', T0);
    t.add(sample('match'), T0);
    let points = t.list(T0 + 35_000);
    expect(points.map((p) => p.compared)).toEqual([1, 0, 0, 0]);
    expect(points[3]?.partial).toBe(true);
    t.add(sample('match'), T0 + 3_600_000 + 1);
    points = t.list(T0 + 3_600_000 + 2);
    expect(points).toHaveLength(6);
    expect(points.slice(0, 5).every((p) => p.compared === 0 && p.matchRate === null)).toBe(true);
    expect(points[5]).toMatchObject({ compared: 1, from: new Date(T0 + 3_600_000).toISOString() });
  });

  it('keeps fixed memory on a busy route and still reads percentiles from a fair sample', () => {
    const t = new Timeline(10_000, 360, T0);
    t.setStage('shadow', T0);
    for (let i = 0; i < 50_000; i++) t.add(sample('match', i % 100, 1), T0 + 1);
    const [point] = t.list(T0 + 2);
    expect(point?.compared).toBe(50_000);
    expect(point?.legacy.p50Ms).toBeGreaterThanOrEqual(44);
    expect(point?.legacy.p50Ms).toBeLessThanOrEqual(55);
    expect(point?.legacy.p99Ms).toBeGreaterThanOrEqual(97);
  });
});
