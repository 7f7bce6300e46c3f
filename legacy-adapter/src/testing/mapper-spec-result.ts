import type { AnyCatalog } from '@strangler/event-schemas';
import assert, { AssertionError } from 'node:assert';
import { changeLabel } from '../mapping/describe.js';
import type { CapturedChange, EventDraft } from '../mapping/types.js';

/** What mapping the changes of a MapperSpec gave: the drafts, or the error and its change. */
export type Outcome = { drafts: unknown[] } | { error: Error; change: CapturedChange };

/** The `then` side of a MapperSpec. Every method returns a promise: await it. */
export class MapperSpecResult<C extends AnyCatalog> {
  constructor(private readonly outcome: () => Promise<Outcome>) {}

  /** The mapping gives exactly these drafts, in order (each valid in the catalog). */
  then(expected: EventDraft<C>[]): Promise<void> {
    if (typeof expected === 'function') {
      // `await spec.when(...)` calls then(resolve, reject): fail that await instead of hanging it.
      // eslint-disable-next-line prefer-rest-params
      const reject = arguments[1] as unknown;
      const misuse = new Error(
        'MapperSpec: call .then([...drafts]) (or .thenNothing()) on when(...); do not await when(...) itself',
      );
      if (typeof reject === 'function') reject(misuse);
      return Promise.resolve();
    }
    return this.expectDrafts(expected);
  }

  private async expectDrafts(expected: EventDraft<C>[]): Promise<void> {
    const outcome = await this.outcome();
    if ('error' in outcome) {
      throw new AssertionError({
        message:
          `MapperSpec: expected ${expected.length} draft(s), but mapping ${changeLabel(outcome.change)} failed ` +
          `(the adapter would stop or dead-letter it): ${outcome.error.message}`,
        actual: outcome.error.message,
        expected,
      });
    }
    try {
      assert.deepStrictEqual(outcome.drafts, expected);
    } catch (e) {
      if (e instanceof AssertionError) e.message = `MapperSpec: the drafts differ.\n${e.message}`;
      throw e;
    }
  }

  /** The mapping gives no event. */
  thenNothing(): Promise<void> {
    return this.then([]);
  }

  /**
   * The mapping fails (the mapper throws, or the catalog refuses a draft) with a message that
   * contains `pattern` (a string) or matches it (a RegExp). Resolves with the error.
   */
  async thenThrows(pattern: string | RegExp): Promise<Error> {
    const outcome = await this.outcome();
    if (!('error' in outcome)) {
      throw new AssertionError({
        message: `MapperSpec: expected the mapping to fail with ${String(pattern)}, but it gave ${JSON.stringify(outcome.drafts)}`,
        actual: outcome.drafts,
        expected: pattern,
      });
    }
    const { message } = outcome.error;
    const matches = typeof pattern === 'string' ? message.includes(pattern) : pattern.test(message);
    if (!matches) {
      throw new AssertionError({
        message: `MapperSpec: the mapping failed, but with ${JSON.stringify(message)}, not ${String(pattern)}`,
        actual: message,
        expected: pattern,
        operator: 'match',
      });
    }
    return outcome.error;
  }
}
