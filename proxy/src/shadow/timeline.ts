import type { TimelinePoint } from '../types.js';
import { percentile, type Sample } from './window.js';

/**
 * Latencies kept per interval and side. Past this many samples a uniform reservoir stands in for
 * the rest (Vitter's algorithm R), so memory is fixed however busy the route is, and p99 still
 * rests on about 40 samples above it.
 */
const RESERVOIR = 4096;

class Side {
  private readonly kept = new Float64Array(RESERVOIR);
  private seen = 0;

  add(ms: number): void {
    if (this.seen < RESERVOIR) this.kept[this.seen] = ms;
    else {
      const slot = Math.floor(Math.random() * (this.seen + 1));
      if (slot < RESERVOIR) this.kept[slot] = ms;
    }
    this.seen++;
  }

  figures(): { p50Ms: number | null; p99Ms: number | null } {
    const sorted = this.kept.slice(0, Math.min(this.seen, RESERVOIR)).sort();
    const round = (v: number | null) => (v === null ? null : Math.round(v * 100) / 100);
    return { p50Ms: round(percentile(sorted, 50)), p99Ms: round(percentile(sorted, 99)) };
  }

  reset(): void {
    this.seen = 0;
  }
}

/**
 * A route's comparisons in fixed intervals (10 s by default, the last hour kept), for the
 * dashboard's charts of match rate and both sides' p50/p99 over time. Intervals are closed lazily,
 * when a sample or a reader arrives after their end; idle intervals become empty points, so a
 * chart shows the gap instead of joining the figures across it.
 */
export class Timeline {
  private readonly points: TimelinePoint[] = [];
  private from: number;
  private end: number;
  private stage = '';
  private compared = 0;
  private matched = 0;
  private failed = 0;
  private readonly legacy = new Side();
  private readonly candidate = new Side();

  constructor(
    readonly intervalMs = 10_000,
    readonly keep = 360,
    now = Date.now(),
  ) {
    this.from = now;
    this.end = this.boundaryAfter(now);
  }

  private boundaryAfter(t: number): number {
    return (Math.floor(t / this.intervalMs) + 1) * this.intervalMs;
  }

  /** A switch: the running interval ends now, and the next ones count the new stage. */
  setStage(stage: string, now = Date.now()): void {
    if (stage === this.stage) return;
    this.roll(now);
    // An interval with nothing in it has no figures to misattribute: it is only relabelled.
    if (this.compared + this.failed > 0 && now > this.from) this.close(now);
    this.stage = stage;
  }

  add(sample: Sample, now = Date.now()): void {
    this.roll(now);
    if (sample.outcome === 'failed') this.failed++;
    else {
      this.compared++;
      if (sample.outcome === 'match') this.matched++;
    }
    this.legacy.add(sample.legacyMs);
    this.candidate.add(sample.candidateMs);
  }

  /** The closed intervals, oldest first, then the running one marked `partial`. */
  list(now = Date.now()): TimelinePoint[] {
    this.roll(now);
    return [...this.points, { ...this.point(now), partial: true }];
  }

  /** Closes every interval that ended before `now`; a long idle gap adds at most `keep` points. */
  private roll(now: number): void {
    if (now < this.end) return;
    this.close(this.end);
    const idle = Math.floor((now - this.from) / this.intervalMs);
    if (idle > this.keep) this.from += (idle - this.keep) * this.intervalMs;
    while (this.from + this.intervalMs <= now) this.close(this.from + this.intervalMs);
  }

  private point(to: number): TimelinePoint {
    return {
      from: new Date(this.from).toISOString(),
      to: new Date(to).toISOString(),
      stage: this.stage,
      compared: this.compared,
      matched: this.matched,
      failed: this.failed,
      matchRate: this.compared === 0 ? null : this.matched / this.compared,
      legacy: this.legacy.figures(),
      candidate: this.candidate.figures(),
    };
  }

  private close(to: number): void {
    this.points.push(this.point(to));
    if (this.points.length > this.keep) this.points.shift();
    this.from = to;
    this.end = this.boundaryAfter(to);
    this.compared = this.matched = this.failed = 0;
    this.legacy.reset();
    this.candidate.reset();
  }
}
