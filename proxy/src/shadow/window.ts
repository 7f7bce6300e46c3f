import type { SideFigures } from '../types.js';

/** One comparison attempt as the gates see it. */
export interface Sample {
  at: number;
  /** `failed`: the shadow copy got no answer (timeout, refused, too big): no comparison. */
  outcome: 'match' | 'mismatch' | 'failed';
  legacyMs: number;
  legacyError: boolean;
  candidateMs: number;
  candidateError: boolean;
}

export interface WindowFigures {
  compared: number;
  matched: number;
  matchRate: number | null;
  legacy: SideFigures;
  candidate: SideFigures;
}

/** Percentile of sorted values (nearest rank). */
export function percentile(sorted: ArrayLike<number>, p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

function side(ms: Float64Array, errors: number): SideFigures {
  ms.sort();
  const round = (v: number | null) => (v === null ? null : Math.round(v * 100) / 100);
  return {
    count: ms.length,
    p50Ms: round(percentile(ms, 50)),
    p99Ms: round(percentile(ms, 99)),
    errorRate: ms.length === 0 ? null : errors / ms.length,
  };
}

const OUTCOME = { match: 1, mismatch: 2, failed: 3 } as const;
const LEGACY_ERROR = 4;
const CANDIDATE_ERROR = 8;

/**
 * The most recent comparison attempts of one route, in a fixed ring of typed arrays: nothing is
 * allocated per sample, so a busy route does not churn the old generation of the heap (objects
 * living ~10 s each would, and the collections that follow are pauses on the client's path).
 */
export class SampleWindow {
  private readonly at: Float64Array;
  private readonly legacyMs: Float64Array;
  private readonly candidateMs: Float64Array;
  /** Outcome (bits 0-1) and error flags; 0 = empty slot. */
  private readonly flags: Uint8Array;
  private next = 0;
  /** Samples added since the start (a version for caches). */
  added = 0;

  constructor(readonly capacity = 20_000) {
    this.at = new Float64Array(capacity);
    this.legacyMs = new Float64Array(capacity);
    this.candidateMs = new Float64Array(capacity);
    this.flags = new Uint8Array(capacity);
  }

  add(sample: Sample): void {
    const i = this.next;
    this.at[i] = sample.at;
    this.legacyMs[i] = sample.legacyMs;
    this.candidateMs[i] = sample.candidateMs;
    this.flags[i] =
      OUTCOME[sample.outcome] |
      (sample.legacyError ? LEGACY_ERROR : 0) |
      (sample.candidateError ? CANDIDATE_ERROR : 0);
    this.next = (i + 1) % this.capacity;
    this.added++;
  }

  /** Figures of the samples taken at or after `since` (epoch ms). */
  figures(since: number): WindowFigures {
    return SampleWindow.merged([this], since);
  }

  /** Figures of several windows' samples taken at or after `since`, as one (a group's routes). */
  static merged(windows: readonly SampleWindow[], since: number): WindowFigures {
    let count = 0;
    for (const w of windows) {
      for (let i = 0; i < w.capacity; i++) {
        if (w.flags[i] !== 0 && (w.at[i] as number) >= since) count++;
      }
    }
    const legacyMs = new Float64Array(count);
    const candidateMs = new Float64Array(count);
    let n = 0;
    let compared = 0;
    let matched = 0;
    let legacyErrors = 0;
    let candidateErrors = 0;
    for (const w of windows) {
      for (let i = 0; i < w.capacity; i++) {
        const f = w.flags[i] as number;
        if (f === 0 || (w.at[i] as number) < since) continue;
        legacyMs[n] = w.legacyMs[i] as number;
        candidateMs[n] = w.candidateMs[i] as number;
        n++;
        if (f & LEGACY_ERROR) legacyErrors++;
        if (f & CANDIDATE_ERROR) candidateErrors++;
        const outcome = f & 3;
        if (outcome === OUTCOME.failed) continue;
        compared++;
        if (outcome === OUTCOME.match) matched++;
      }
    }
    return {
      compared,
      matched,
      matchRate: compared === 0 ? null : matched / compared,
      legacy: side(legacyMs, legacyErrors),
      candidate: side(candidateMs, candidateErrors),
    };
  }
}
