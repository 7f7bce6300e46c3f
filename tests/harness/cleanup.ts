import { afterAll } from 'vitest';

const cleanups: Array<() => unknown> = [];

// Registered once, while the test file's imports are collected, so it belongs to the file's suite.
// vitest (4.x) silently drops an afterAll registered inside beforeAll, a test or a helper they call:
// those hooks attach to a suite that already ran. onCleanup is safe from anywhere.
afterAll(async () => {
  const errors: unknown[] = [];
  while (cleanups.length > 0) {
    const cleanup = cleanups.pop() as () => unknown;
    try {
      await cleanup();
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, `${errors.length} cleanups failed`);
});

/**
 * Runs `fn` after the calling test file's tests, last registered first, whatever happened in
 * between. Call it from anywhere: top level, describe, beforeAll, a test or a fixture helper.
 * Every cleanup runs even when one throws; their errors fail the file's after-all hook.
 */
export function onCleanup(fn: () => unknown): void {
  cleanups.push(fn);
}
