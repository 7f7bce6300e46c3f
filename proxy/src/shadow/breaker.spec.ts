import { describe, expect, it } from 'vitest';
import { UnreachableBreaker } from './breaker.js';

describe('UnreachableBreaker', () => {
  it('pauses an unreachable upstream for 250 ms, doubling up to 5 s while it stays down', () => {
    const b = new UnreachableBreaker();
    const origin = 'http://127.0.0.1:1';
    expect(b.pausedUntil(origin, 0)).toBe(0);
    b.failed(origin, 1_000);
    expect(b.pausedUntil(origin, 1_000)).toBe(1_250);
    let now = 1_250;
    const pauses: number[] = [];
    for (let i = 0; i < 7; i++) {
      b.failed(origin, now);
      const until = b.pausedUntil(origin, now);
      pauses.push(until - now);
      now = until;
    }
    expect(pauses).toEqual([500, 1_000, 2_000, 4_000, 5_000, 5_000, 5_000]);
    expect(b.paused(now - 1)).toEqual({ [origin]: now });
  });

  it('counts copies failing together as one failure, and one answer ends the pause', () => {
    const b = new UnreachableBreaker();
    const origin = 'http://dead:80';
    b.failed(origin, 0);
    b.failed(origin, 10);
    b.failed(origin, 20);
    expect(b.pausedUntil(origin, 20)).toBe(250);
    b.answered(origin);
    expect(b.pausedUntil(origin, 20)).toBe(0);
    b.failed(origin, 300);
    expect(b.pausedUntil(origin, 300)).toBe(550);
  });
});
