import { performance, type EventLoopUtilization } from 'node:perf_hooks';

const EVERY_MS = 250;

/**
 * Keeps shadow work from crowding the client's path: every 250 ms it reads how busy the event
 * loop was (share of time running code, not waiting for I/O) and lowers the share of copies it
 * admits while that is above `limit` (multiplicatively), raising it again slowly below (2 points
 * per reading, so it does not come back in bursts). Copies not admitted are counted as `busy`.
 * Comparisons are best effort; the clients' answers are not.
 */
export class LoadGovernor {
  /** Share (0-1) of eligible copies admitted right now. */
  ratio = 1;
  private last: EventLoopUtilization = performance.eventLoopUtilization();
  private timer: NodeJS.Timeout | undefined;
  utilization = 0;

  constructor(private limit: number) {}

  /** Applies a new limit; 1 or more turns the governor off. */
  setLimit(limit: number): void {
    this.limit = limit;
    if (limit >= 1) this.ratio = 1;
  }

  /** Starts or stops sampling (only while some route compares). */
  run(active: boolean): void {
    if (active && !this.timer && this.limit < 1) {
      this.last = performance.eventLoopUtilization();
      this.timer = setInterval(() => this.tick(), EVERY_MS);
      this.timer.unref();
    } else if ((!active || this.limit >= 1) && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.ratio = 1;
    }
  }

  /** One reading: exposed for tests. */
  tick(utilization?: number): void {
    if (utilization === undefined) {
      const now = performance.eventLoopUtilization();
      utilization = performance.eventLoopUtilization(now, this.last).utilization;
      this.last = now;
    }
    this.utilization = utilization;
    if (this.limit >= 1) return;
    if (utilization > this.limit) this.ratio = Math.max(0, this.ratio * 0.7 - 0.01);
    else if (utilization < this.limit * 0.9) this.ratio = Math.min(1, this.ratio + 0.02);
  }

  /** Whether to admit one more copy. */
  admit(): boolean {
    return this.ratio >= 1 || Math.random() < this.ratio;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
