import { hash } from 'node:crypto';

/** Canary buckets: percent has two decimals, so 10,000 buckets give exact shares. */
export const BUCKETS = 10_000;

/**
 * The bucket (0..9999) of a sticky key within a route or group. It depends only on the salt (the
 * route or group id) and the key, never on the percentage: raising the percentage only moves keys
 * from legacy to new and lowering it only moves them back, so nobody flaps between systems, and
 * every proxy replica computes the same answer without shared state.
 */
export function bucketOf(salt: string, key: string): number {
  const digest = hash('sha256', `${salt}:${key}`, 'buffer');
  return digest.readUInt32BE(0) % BUCKETS;
}

/** True when a bucket falls in the new side's share at this percentage. */
export function inCanary(bucket: number, percent: number): boolean {
  return bucket < Math.round(percent * 100);
}
