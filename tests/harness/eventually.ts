/**
 * Polls `check` until it passes (returns without throwing) or `timeoutMs` passes, then throws its
 * last failure, so an assertion inside `check` reports what was still wrong. `options` is the
 * timeout in ms, or `{ timeoutMs, intervalMs }`. The one polling helper of the repository's tests.
 */
export async function eventually<T>(
  check: () => T | Promise<T>,
  options: number | { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const { timeoutMs = 10_000, intervalMs = 50 } =
    typeof options === 'number' ? { timeoutMs: options } : options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}
