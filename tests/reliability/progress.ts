/**
 * Samples a progress figure (events confirmed, events applied) every `intervalMs` and answers the
 * longest time it stood still inside a window: the "time without progress" around a fault.
 */
export class ProgressWatch {
  readonly #samples: Array<{ at: number; value: string }> = [];
  readonly #timer: NodeJS.Timeout;

  constructor(read: () => Promise<string | undefined>, intervalMs = 100) {
    let busy = false;
    this.#timer = setInterval(() => {
      if (busy) return;
      busy = true;
      void read()
        .then((value) => {
          if (value !== undefined) this.#samples.push({ at: Date.now(), value });
        })
        .catch(() => {}) // a fault may make the figure unreadable for a while: that is no progress
        .finally(() => (busy = false));
    }, intervalMs);
  }

  /** Longest run of equal (or missing) samples between `from` and `to`, in ms. */
  longestStall(from: number, to: number): number {
    const inside = this.#samples.filter((s) => s.at >= from && s.at <= to);
    let longest = 0;
    let since = from;
    let last = this.#samples.filter((s) => s.at < from).at(-1)?.value;
    for (const sample of inside) {
      if (sample.value !== last) {
        longest = Math.max(longest, sample.at - since);
        since = sample.at;
        last = sample.value;
      }
    }
    return Math.max(longest, (inside.at(-1)?.at ?? from) - since);
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
