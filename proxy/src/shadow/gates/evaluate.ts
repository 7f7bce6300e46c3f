import type { ModeState } from '../../types.js';
import type { GatesConfig } from '../settings.js';
import type { WindowFigures } from '../window.js';

export type GateDecision =
  | { action: 'idle' | 'hold'; reason: string; figures: Record<string, unknown>; next?: ModeState }
  | {
      action: 'promote' | 'rollback';
      to: ModeState;
      reason: string;
      figures: Record<string, unknown>;
    };

export interface GateInput {
  state: ModeState;
  gates: GatesConfig;
  figures: WindowFigures;
  /** When the current stage began (epoch ms). */
  stageSince: number;
  now: number;
}

/** p99s below this compare as this: sub-millisecond jitter must not block a promotion. */
const P99_FLOOR_MS = 1;

const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(2)}%`);

/** The figures a decision is based on, as they go into the audit entry. */
export function gateFigures(f: WindowFigures, stageSince: number): Record<string, unknown> {
  const legacyErr = f.legacy.errorRate ?? 0;
  const candErr = f.candidate.errorRate ?? 0;
  const ratio =
    f.legacy.p99Ms === null || f.candidate.p99Ms === null
      ? null
      : Math.max(f.candidate.p99Ms, P99_FLOOR_MS) / Math.max(f.legacy.p99Ms, P99_FLOOR_MS);
  return {
    samples: f.compared,
    attempts: f.legacy.count,
    matchRate: f.matchRate,
    legacyErrorRate: legacyErr,
    candidateErrorRate: candErr,
    errorRateDiff: candErr - legacyErr,
    legacyP99Ms: f.legacy.p99Ms,
    candidateP99Ms: f.candidate.p99Ms,
    p99Ratio: ratio === null ? null : Math.round(ratio * 1000) / 1000,
    stageSince: new Date(stageSince).toISOString(),
  };
}

/** The next promotion step after the current state, or undefined at the end of the path. */
export function nextStep(
  state: ModeState,
  steps: readonly (number | 'new')[],
): ModeState | undefined {
  const toState = (step: number | 'new'): ModeState =>
    step === 'new' ? { mode: 'new' } : { mode: 'canary', percent: step };
  if (state.mode === 'shadow') return steps[0] === undefined ? undefined : toState(steps[0]);
  if (state.mode !== 'canary') return undefined;
  const current = state.percent ?? 0;
  const step = steps.find((s) => s === 'new' || s > current);
  return step === undefined ? undefined : toState(step);
}

/**
 * Decides one gate evaluation. Rollback is checked first and wins; promotion needs every rule to
 * hold over at least `minSamples` comparisons made at the current stage, and the stage to be at
 * least `minDuration` old. A decision never promotes on fewer samples than asked.
 */
export function evaluateGates(input: GateInput): GateDecision {
  const { state, gates, figures: f } = input;
  const figures = gateFigures(f, input.stageSince);
  const diff = figures.errorRateDiff as number;
  const ratio = figures.p99Ratio as number | null;
  if (state.mode === 'canary' && gates.rollback) {
    const r = gates.rollback;
    if (f.legacy.count >= r.minSamples) {
      const broken: string[] = [];
      if (r.minMatchRate !== undefined && f.matchRate !== null && f.matchRate < r.minMatchRate) {
        broken.push(`match rate ${pct(f.matchRate)} < ${pct(r.minMatchRate)}`);
      }
      if (r.maxErrorRateDiff !== undefined && diff > r.maxErrorRateDiff) {
        broken.push(`error rate difference ${pct(diff)} > ${pct(r.maxErrorRateDiff)}`);
      }
      if (r.maxP99Ratio !== undefined && ratio !== null && ratio > r.maxP99Ratio) {
        broken.push(`p99 ratio ${ratio} > ${r.maxP99Ratio}`);
      }
      if (broken.length > 0) {
        return {
          action: 'rollback',
          to: { mode: r.to },
          reason: `gate rollback: ${broken.join('; ')} over ${f.legacy.count} samples`,
          figures,
        };
      }
    }
  }
  const p = gates.promote;
  if (!p) return { action: 'idle', reason: 'no promotion rules', figures };
  const next = nextStep(state, p.steps);
  if (!next) {
    return {
      action: 'idle',
      reason:
        state.mode === 'canary'
          ? 'at the last promotion step'
          : `nothing to promote in ${state.mode} mode`,
      figures,
    };
  }
  const unmet: string[] = [];
  if (f.compared < p.minSamples) unmet.push(`${f.compared} of ${p.minSamples} samples`);
  const age = input.now - input.stageSince;
  if (age < p.minDuration)
    unmet.push(
      `stage is ${Math.round(age / 1000)}s old, needs ${Math.round(p.minDuration / 1000)}s`,
    );
  if (f.matchRate === null || f.matchRate < p.minMatchRate)
    unmet.push(`match rate ${pct(f.matchRate)} < ${pct(p.minMatchRate)}`);
  if (diff > p.maxErrorRateDiff)
    unmet.push(`error rate difference ${pct(diff)} > ${pct(p.maxErrorRateDiff)}`);
  if (ratio === null || ratio > p.maxP99Ratio)
    unmet.push(`p99 ratio ${ratio ?? 'n/a'} > ${p.maxP99Ratio}`);
  if (unmet.length > 0) return { action: 'hold', reason: unmet.join('; '), figures, next };
  const label = next.mode === 'canary' ? `canary ${next.percent}%` : next.mode;
  return {
    action: 'promote',
    to: next,
    reason: `gate promotion to ${label}: match rate ${pct(f.matchRate)} over ${f.compared} samples, error rate difference ${pct(diff)}, p99 ratio ${ratio}`,
    figures,
  };
}
