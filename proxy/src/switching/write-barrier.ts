import { ProxyError } from '../errors.js';

interface Hold {
  promise: Promise<void>;
  release(): void;
  deadline: number;
}

interface GroupWrites {
  inFlight: number;
  drained: Array<() => void>;
  hold: Hold | null;
}

const HOLD_GRACE_MS = 250;

/** What a held write learns: go on (decide again, the group may have moved) or give up. */
export type HoldOutcome = 'go' | 'timeout';

/**
 * The writes of each write group: how many are in flight, and the hold a moving group puts on
 * new ones. A group's writer changes only between two writes: the barrier holds new writes,
 * waits for those in flight to finish, lets the caller check the other side caught up and move
 * the group, then releases the held writes, which are decided again on the new table.
 */
export class WriteBarriers {
  private readonly groups = new Map<string, GroupWrites>();

  private of(group: string): GroupWrites {
    let g = this.groups.get(group);
    if (!g) this.groups.set(group, (g = { inFlight: 0, drained: [], hold: null }));
    return g;
  }

  /** True while a barrier holds the group's new writes. */
  holding(group: string): boolean {
    return this.groups.get(group)?.hold != null;
  }

  /**
   * Waits for the group's hold to end, at most `holdMs` plus a grace: a barrier releases its
   * writes at its own deadline (moved or called off), so a write only gives up (503) when the
   * barrier is stuck past it.
   */
  wait(group: string, holdMs: number): Promise<HoldOutcome> {
    const maxMs = holdMs + HOLD_GRACE_MS;
    const hold = this.groups.get(group)?.hold;
    if (!hold) return Promise.resolve('go');
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve('timeout'), maxMs);
      void hold.promise.then(() => {
        clearTimeout(timer);
        resolve('go');
      });
    });
  }

  /** Counts a write in flight; call the returned function once its upstream exchange ended. */
  enter(group: string): () => void {
    const g = this.of(group);
    g.inFlight++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      g.inFlight--;
      if (g.inFlight === 0) for (const done of g.drained.splice(0)) done();
    };
  }

  /** Writes in flight to the group now. */
  inFlight(group: string): number {
    return this.groups.get(group)?.inFlight ?? 0;
  }

  /**
   * Holds the group's new writes until `release()`; `deadline` is when the caller must give up
   * and release. Nothing releases by itself: writes let go while the group is being moved (a
   * slow file write, a readiness answer) could reach the old side after the new one took over.
   * A write held past its own bound gets 503 instead (see `wait`). Refused while another barrier
   * holds the group.
   */
  hold(group: string, holdMs: number): Hold {
    const g = this.of(group);
    if (g.hold) {
      throw new ProxyError(
        'switch_denied',
        `group "${group}" is already moving: try again shortly`,
      );
    }
    let release!: () => void;
    const promise = new Promise<void>((r) => (release = r));
    const hold: Hold = {
      promise,
      deadline: performance.now() + holdMs,
      release: () => {
        if (g.hold === hold) g.hold = null;
        release();
      },
    };
    g.hold = hold;
    return hold;
  }

  /** Resolves once no write of the group is in flight; rejects at `deadline`. */
  drained(group: string, deadline: number): Promise<void> {
    const g = this.of(group);
    if (g.inFlight === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => {
          g.drained.splice(g.drained.indexOf(done), 1);
          reject(
            new ProxyError(
              'switch_denied',
              `${g.inFlight} write(s) to group "${group}" still in flight when the hold ran out`,
            ),
          );
        },
        Math.max(0, deadline - performance.now()),
      );
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      g.drained.push(done);
    });
  }
}
