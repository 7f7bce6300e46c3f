/**
 * Keeps the shadow thread within its means: each of its load readings (how busy its event loop
 * was, a few times a second) lowers the share of copies admitted while it is above `limit`
 * (multiplicatively) and raises it again slowly below (2 points per reading, so copies do not come
 * back in bursts). Copies not admitted are counted as `busy`. The thread shares the machine with
 * everything else: when the machine cannot give it CPU, its work takes longer and its reading rises.
 */
export class LoadGovernor {
  /** Share (0-1) of eligible copies admitted right now. */
  ratio = 1;
  /** The last reading. */
  utilization = 0;

  constructor(private limit: number) {}

  /** Applies a new limit; 1 or more turns the governor off. */
  setLimit(limit: number): void {
    this.limit = limit;
    if (limit >= 1) this.ratio = 1;
  }

  /** One reading of the shadow thread's utilization (0-1). */
  tick(utilization: number): void {
    this.utilization = utilization;
    if (this.limit >= 1) return;
    if (utilization > this.limit) this.ratio = Math.max(0, this.ratio * 0.7 - 0.01);
    else if (utilization < this.limit * 0.9) this.ratio = Math.min(1, this.ratio + 0.02);
  }

  /** Whether to admit one more copy. */
  admit(): boolean {
    return this.ratio >= 1 || Math.random() < this.ratio;
  }
}
