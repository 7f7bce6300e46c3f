const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** Pattern a size string must match: a number and a unit (b, kb, mb, gb; 1 kb = 1024 bytes). */
export const SIZE_PATTERN = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)$/i;

/** Bytes from a number (already bytes) or a string such as `16kb`, `10mb`. */
export function parseSize(value: number | string): number {
  if (typeof value === 'number') return value;
  const m = SIZE_PATTERN.exec(value.trim());
  if (!m) throw new Error(`not a size: ${JSON.stringify(value)} (use e.g. 16kb, 10mb)`);
  return Math.round(Number(m[1]) * (UNITS[(m[2] as string).toLowerCase()] as number));
}
