import { describe, expect, it } from 'vitest';
import { bucketOf, inCanary } from './bucket.js';

const keys = Array.from({ length: 20_000 }, (_, i) => `user-${i}`);
const served = (percent: number) =>
  new Set(keys.filter((k) => inCanary(bucketOf('availability', k), percent)));

describe('sticky canary buckets', () => {
  it('keeps every key already on new there when the percentage goes up', () => {
    let previous = served(1);
    for (const percent of [5, 10, 25, 50, 90, 100]) {
      const now = served(percent);
      for (const key of previous) expect(now.has(key)).toBe(true);
      previous = now;
    }
  });

  it('keeps every key on legacy there when the percentage goes down', () => {
    let previous = served(90);
    for (const percent of [50, 10, 1, 0]) {
      const now = served(percent);
      for (const key of now) expect(previous.has(key)).toBe(true);
      previous = now;
    }
  });

  it('serves roughly the configured share', () => {
    expect(served(10).size / keys.length).toBeGreaterThan(0.09);
    expect(served(10).size / keys.length).toBeLessThan(0.11);
    expect(served(0).size).toBe(0);
    expect(served(100).size).toBe(keys.length);
  });

  it('gives the same key the same bucket every time, and independent buckets per route or group', () => {
    expect(bucketOf('r1', 'user-7')).toBe(bucketOf('r1', 'user-7'));
    const differs = keys.slice(0, 200).some((k) => bucketOf('r1', k) !== bucketOf('r2', k));
    expect(differs).toBe(true);
  });
});
