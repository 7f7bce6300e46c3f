import type { SideFigures } from '../types.js';
import type { WindowFigures } from '../shadow/window.js';

/** One replica's gate figures for one target at one stage, as it last uploaded them. */
export interface ReplicaFigures {
  replica: string;
  figures: WindowFigures & { since: number };
}

function side(list: SideFigures[]): SideFigures {
  const count = list.reduce((n, s) => n + s.count, 0);
  const errors = list.reduce((n, s) => n + (s.errorRate ?? 0) * s.count, 0);
  // Percentiles do not add up: the worst replica's stands for the fleet (never flatters new).
  const worst = (pick: (s: SideFigures) => number | null) => {
    const values = list.map(pick).filter((v): v is number => v !== null);
    return values.length === 0 ? null : Math.max(...values);
  };
  return {
    count,
    p50Ms: worst((s) => s.p50Ms),
    p99Ms: worst((s) => s.p99Ms),
    errorRate: count === 0 ? null : errors / count,
  };
}

/**
 * The fleet's figures from each replica's: comparisons, matches and error counts add up; each
 * side's p50 and p99 are the highest any replica saw; the stage began when the last replica
 * entered it.
 */
export function mergeFigures(parts: readonly ReplicaFigures[]): WindowFigures & { since: number } {
  const compared = parts.reduce((n, p) => n + p.figures.compared, 0);
  const matched = parts.reduce((n, p) => n + p.figures.matched, 0);
  return {
    compared,
    matched,
    matchRate: compared === 0 ? null : matched / compared,
    legacy: side(parts.map((p) => p.figures.legacy)),
    candidate: side(parts.map((p) => p.figures.candidate)),
    since: Math.max(0, ...parts.map((p) => p.figures.since)),
  };
}
