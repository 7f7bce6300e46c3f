import { AssertionError } from 'node:assert';
import type { ConsumeOutcome, DeadLetterReason } from '../types.js';

/** What a run ended with. */
export interface Run<U> {
  uow: U;
  outcome: ConsumeOutcome | undefined;
  reason?: DeadLetterReason;
  error?: unknown;
}

export function describe(run: Run<unknown>): string {
  if (run.error !== undefined)
    return `it threw ${String((run.error as Error)?.stack ?? run.error)}`;
  if (run.outcome === 'dead_lettered')
    return `dead-lettered ${run.reason?.code}: ${run.reason?.message}`;
  return `the outcome was ${run.outcome}`;
}

/** The expectations on the event under test. Each runs the spec and resolves or throws an AssertionError. */
export class SpecResult<U> {
  readonly #run: () => Promise<Run<U>>;

  constructor(run: () => Promise<Run<U>>) {
    this.#run = run;
  }

  /**
   * The event was handled (applied, unchanged or stale; not dead-lettered, not thrown); `check`
   * inspects the unit of work. (Awaiting a result without calling `then` yourself expects the
   * same and resolves with the unit of work.)
   */
  then(
    check: (uow: U, outcome: ConsumeOutcome) => unknown,
    onRejected?: (reason: unknown) => unknown,
  ): Promise<void> {
    const checked = (async () => {
      const run = await this.#run();
      if (run.error !== undefined || run.outcome === 'dead_lettered' || run.outcome === undefined) {
        throw new AssertionError({
          message: `expected the event to be handled, but ${describe(run)}`,
        });
      }
      await check(run.uow, run.outcome);
    })();
    // `await result` calls then(resolve, reject): route a failure to `reject`.
    return onRejected ? checked.catch(onRejected).then(() => {}) : checked;
  }

  /** The handler reported (or the kit decided) this outcome, e.g. `stale`, `unchanged`, `duplicate`. */
  async thenOutcome(expected: ConsumeOutcome): Promise<void> {
    const run = await this.#run();
    if (run.outcome !== expected) {
      throw new AssertionError({
        message: `expected outcome ${expected}, but ${describe(run)}`,
        expected,
        actual: run.outcome,
      });
    }
  }

  /** The event would be dead-lettered with this reason code (and message, when given). */
  async thenDeadLetters(code: string, message?: string | RegExp): Promise<void> {
    const run = await this.#run();
    const reason = run.reason;
    const matches =
      run.outcome === 'dead_lettered' &&
      reason?.code === code &&
      (message === undefined ||
        (typeof message === 'string' ? reason.message === message : message.test(reason.message)));
    if (!matches) {
      throw new AssertionError({
        message: `expected a dead letter ${code}${message === undefined ? '' : ` (${String(message)})`}, but ${describe(run)}`,
      });
    }
  }

  /** The handler threw an error the kit retries (transient); `check` may inspect it. */
  async thenThrows(check?: (error: unknown) => boolean): Promise<void> {
    const run = await this.#run();
    if (run.error === undefined || (check && !check(run.error))) {
      throw new AssertionError({
        message: `expected a transient error${check ? ' matching the check' : ''}, but ${describe(run)}`,
      });
    }
  }
}
