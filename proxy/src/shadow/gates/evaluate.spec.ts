import { describe, expect, it } from 'vitest';
import { gatesSchema } from '../../config/shadow-schema.js';
import type { WindowFigures } from '../window.js';
import { evaluateGates, nextStep } from './evaluate.js';

const gates = gatesSchema.parse({
  promote: {
    steps: [10, 50, 'new'],
    minSamples: 100,
    minMatchRate: 0.99,
    maxErrorRateDiff: 0.01,
    maxP99Ratio: 1.5,
    minDuration: 0,
  },
  rollback: { minSamples: 20, minMatchRate: 0.95, maxErrorRateDiff: 0.05, maxP99Ratio: 3 },
});

const figures = (
  over: Partial<WindowFigures> = {},
  side: { p99?: number; err?: number; count?: number } = {},
): WindowFigures => ({
  compared: 200,
  matched: 200,
  matchRate: 1,
  legacy: { count: side.count ?? 200, p50Ms: 2, p99Ms: 10, errorRate: 0 },
  candidate: {
    count: side.count ?? 200,
    p50Ms: 2,
    p99Ms: side.p99 ?? 11,
    errorRate: side.err ?? 0,
  },
  ...over,
});

const run = (
  mode: 'shadow' | 'canary' | 'new' | 'legacy',
  f: WindowFigures,
  percent?: number,
  stageAgeMs = 60_000,
) =>
  evaluateGates({
    state: { mode, ...(percent === undefined ? {} : { percent }) },
    gates,
    figures: f,
    stageSince: 0,
    now: stageAgeMs,
  });

describe('gates', () => {
  it('walks the promotion path shadow -> canary steps -> new', () => {
    expect(nextStep({ mode: 'shadow' }, [10, 50, 'new'])).toEqual({ mode: 'canary', percent: 10 });
    expect(nextStep({ mode: 'canary', percent: 10 }, [10, 50, 'new'])).toEqual({
      mode: 'canary',
      percent: 50,
    });
    expect(nextStep({ mode: 'canary', percent: 50 }, [10, 50, 'new'])).toEqual({ mode: 'new' });
    expect(nextStep({ mode: 'canary', percent: 50 }, [10, 50])).toBeUndefined();
    expect(nextStep({ mode: 'legacy' }, [10])).toBeUndefined();
  });

  it('promotes when every rule holds, with the figures for the audit log', () => {
    const d = run('shadow', figures());
    expect(d).toMatchObject({ action: 'promote', to: { mode: 'canary', percent: 10 } });
    expect(d.figures).toMatchObject({
      samples: 200,
      matchRate: 1,
      errorRateDiff: 0,
      legacyP99Ms: 10,
      candidateP99Ms: 11,
      p99Ratio: 1.1,
    });
    expect(d.reason).toMatch(/match rate 100\.00% over 200 samples/);
  });

  it('never promotes with fewer samples than asked, however good they look', () => {
    const d = run('shadow', figures({ compared: 99, matched: 99 }));
    expect(d).toMatchObject({ action: 'hold', next: { mode: 'canary', percent: 10 } });
    expect(d.reason).toMatch(/99 of 100 samples/);
  });

  it('holds on a low match rate, an error-rate gap, a slow candidate or a young stage', () => {
    expect(run('shadow', figures({ matched: 190, matchRate: 0.95 })).reason).toMatch(
      /match rate 95\.00% < 99\.00%/,
    );
    expect(run('shadow', figures({}, { err: 0.05 })).reason).toMatch(
      /error rate difference 5\.00% > 1\.00%/,
    );
    expect(run('shadow', figures({}, { p99: 40 })).reason).toMatch(/p99 ratio 4 > 1.5/);
    const young = evaluateGates({
      state: { mode: 'shadow' },
      gates: gatesSchema.parse({ promote: { minSamples: 1, minDuration: '5m' } }),
      figures: figures(),
      stageSince: 0,
      now: 1000,
    });
    expect(young).toMatchObject({ action: 'hold' });
    expect(young.reason).toMatch(/stage is 1s old, needs 300s/);
  });

  it('compares sub-millisecond p99s as 1 ms, so jitter does not block a promotion', () => {
    const f = figures();
    f.legacy.p99Ms = 0.2;
    f.candidate.p99Ms = 0.6;
    expect(run('shadow', f)).toMatchObject({ action: 'promote' });
  });

  it('rolls a canary back when a rule is violated, and rollback wins over promotion', () => {
    const d = run('canary', figures({ matched: 180, matchRate: 0.9 }), 10);
    expect(d).toMatchObject({ action: 'rollback', to: { mode: 'shadow' } });
    expect(d.reason).toMatch(/match rate 90\.00% < 95\.00% over 200 samples/);
    expect(run('canary', figures({}, { err: 0.2 }), 50)).toMatchObject({ action: 'rollback' });
  });

  it('does not roll back on fewer samples than the rollback rule asks', () => {
    expect(
      run('canary', figures({ compared: 10, matched: 0, matchRate: 0 }, { count: 10 }), 10),
    ).toMatchObject({ action: 'hold' });
  });

  it('has nothing to decide in legacy or new mode, or at the last step', () => {
    expect(run('legacy', figures())).toMatchObject({ action: 'idle' });
    expect(run('new', figures())).toMatchObject({ action: 'idle' });
    const end = evaluateGates({
      state: { mode: 'canary', percent: 50 },
      gates: gatesSchema.parse({ promote: { steps: [10, 50] } }),
      figures: figures(),
      stageSince: 0,
      now: 1e9,
    });
    expect(end).toMatchObject({ action: 'idle', reason: 'at the last promotion step' });
  });
});
