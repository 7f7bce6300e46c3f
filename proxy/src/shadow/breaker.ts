/** First and longest pause after a shadow upstream could not be reached. */
const FIRST_MS = 250;
const LONGEST_MS = 5_000;

/**
 * Stops sending copies to a shadow upstream that cannot be reached (connection refused, no such
 * host, connect timeout): each copy would cost a connection attempt for a certain failure. After a
 * failure the upstream is left alone for 250 ms, doubling up to 5 s while it stays down; the first
 * copy after the pause tries again, and one answer ends it. Copies in the pause are counted as
 * `candidate_error` without being sent.
 */
export class UnreachableBreaker {
  private readonly down = new Map<string, { until: number; pauseMs: number }>();

  /** Epoch ms until which `origin` is left alone; 0 when it is not. */
  pausedUntil(origin: string, now = Date.now()): number {
    const d = this.down.get(origin);
    return d && d.until > now ? d.until : 0;
  }

  failed(origin: string, now = Date.now()): void {
    const d = this.down.get(origin);
    // Copies already on their way fail together: one pause per attempt, not one per copy.
    if (d && d.until > now) return;
    const pauseMs = d ? Math.min(d.pauseMs * 2, LONGEST_MS) : FIRST_MS;
    this.down.set(origin, { until: now + pauseMs, pauseMs });
  }

  answered(origin: string): void {
    if (this.down.size > 0) this.down.delete(origin);
  }

  /** Origins paused right now, with the epoch ms their pause ends. */
  paused(now = Date.now()): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [origin, d] of this.down) if (d.until > now) out[origin] = d.until;
    return out;
  }
}
