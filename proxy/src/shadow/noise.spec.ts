import { describe, expect, it } from 'vitest';
import type { DiffEntry } from '../types.js';
import { NoiseLearner } from './noise.js';

const d = (pointer: string): DiffEntry => ({ pointer, kind: 'value', legacy: 1, candidate: 2 });

describe('NoiseLearner', () => {
  it('explains a field that legacy itself answers differently every time', () => {
    const learner = new NoiseLearner(true);
    learner.recordPair([d('/generatedAt'), d('/requestId')]);
    const { real, noise } = learner.classify([d('/generatedAt'), d('/requestId')]);
    expect(real).toEqual([]);
    expect(noise.map((e) => e.pointer)).toEqual(['/generatedAt', '/requestId']);
  });

  it('keeps a difference real when the candidate differs far more often than legacy from itself', () => {
    const learner = new NoiseLearner(true);
    // Legacy varies /price in 1 of 10 pairs; the candidate differs on it every time.
    for (let i = 0; i < 10; i++) learner.recordPair(i === 0 ? [d('/price')] : []);
    let real = 0;
    for (let i = 0; i < 10; i++) real += learner.classify([d('/price')]).real.length;
    expect(real).toBe(10);
  });

  it('learns per field, with array indices folded into *', () => {
    const learner = new NoiseLearner(true);
    learner.recordPair([d('/items/0/updatedAt'), d('/items/1/updatedAt')]);
    expect(learner.noiseRate('/items/*/updatedAt')).toBe(1);
    expect(
      learner.classify([d('/items/7/updatedAt'), d('/items/7/qty')]).real.map((e) => e.pointer),
    ).toEqual(['/items/7/qty']);
  });

  it('explains nothing when disabled or before the first pair', () => {
    expect(new NoiseLearner(false).classify([d('/a')]).real).toHaveLength(1);
    expect(new NoiseLearner(true).classify([d('/a')]).real).toHaveLength(1);
  });

  it('suggests ignore rules with how many mismatches each would hide, alone and together', () => {
    const learner = new NoiseLearner(true);
    for (let i = 0; i < 4; i++) learner.recordPair([d('/generatedAt'), d('/requestId')]);
    learner.classify([d('/generatedAt'), d('/requestId')]);
    learner.classify([d('/generatedAt'), d('/requestId')]);
    learner.classify([d('/generatedAt')]);
    learner.classify([d('/generatedAt'), d('/qty')]);
    learner.classify([]);
    const report = learner.report();
    expect(report).toMatchObject({
      enabled: true,
      pairs: 4,
      comparisons: 5,
      mismatches: 4,
      hidesTogether: 3,
    });
    expect(report.suggestions).toEqual([
      { rule: '/generatedAt', noiseRate: 1, inMismatches: 4, hidesAlone: 1 },
      { rule: '/requestId', noiseRate: 1, inMismatches: 2, hidesAlone: 0 },
    ]);
  });
});
