import { describe, expect, it } from 'vitest';
import { LoadGovernor } from './governor.js';

describe('LoadGovernor', () => {
  it('admits everything while the shadow thread is below the limit', () => {
    const g = new LoadGovernor(0.5);
    g.tick(0.3);
    expect(g.ratio).toBe(1);
    expect(g.admit()).toBe(true);
  });

  it('sheds copies quickly while the shadow thread is too busy, and recovers slowly once it is not', () => {
    const g = new LoadGovernor(0.5);
    for (let i = 0; i < 5; i++) g.tick(0.8);
    expect(g.ratio).toBeLessThan(0.2);
    const low = g.ratio;
    g.tick(0.47); // between 90% of the limit and the limit: hold
    expect(g.ratio).toBe(low);
    for (let i = 0; i < 60; i++) g.tick(0.2);
    expect(g.ratio).toBe(1);
  });

  it('is off at a limit of 1', () => {
    const g = new LoadGovernor(1);
    g.tick(0.99);
    expect(g.ratio).toBe(1);
  });
});
