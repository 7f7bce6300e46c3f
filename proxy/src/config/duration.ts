const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Pattern a duration string must match: a number and a unit (ms, s, m, h). */
export const DURATION_PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/;

/** Milliseconds from a number (already ms) or a string such as `500ms`, `30s`, `2m`. */
export function parseDuration(value: number | string): number {
  if (typeof value === 'number') return value;
  const m = DURATION_PATTERN.exec(value.trim());
  if (!m) throw new Error(`not a duration: ${JSON.stringify(value)} (use e.g. 500ms, 30s, 2m)`);
  return Math.round(Number(m[1]) * (UNITS[m[2] as string] as number));
}

/** Human form for logs and the admin API, e.g. 1500 -> "1.5s". */
export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms >= 1000) return `${ms / 1000}s`;
  return `${ms}ms`;
}
