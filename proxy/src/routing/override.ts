import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Role } from '../types.js';

/** Why an override header was ignored, or `accepted`. */
export type OverrideResult =
  | { ok: true; role: Role }
  | {
      ok: false;
      reason: 'no_secret' | 'unsigned' | 'bad_signature' | 'expired' | 'unknown_target';
    };

function sign(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

/**
 * A tester override token `<legacy|new>.<expiry unix seconds>.<base64url HMAC-SHA256>`, the
 * signature covering `<side>.<expiry>`. The expiry keeps a leaked token from working forever.
 */
export function signOverride(secret: string, role: Role, expiresAt: Date): string {
  const payload = `${role}.${Math.floor(expiresAt.getTime() / 1000)}`;
  return `${payload}.${sign(secret, payload)}`;
}

/** Checks a received override header value. */
export function verifyOverride(
  value: string,
  secret: string | undefined,
  now: number = Date.now(),
): OverrideResult {
  if (!secret) return { ok: false, reason: 'no_secret' };
  const parts = value.trim().split('.');
  if (parts.length !== 3 || !parts[2]) return { ok: false, reason: 'unsigned' };
  const [role, expiry, signature] = parts as [string, string, string];
  const expected = Buffer.from(sign(secret, `${role}.${expiry}`));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'bad_signature' };
  }
  if (!/^\d+$/.test(expiry) || Number(expiry) * 1000 < now) return { ok: false, reason: 'expired' };
  if (role !== 'legacy' && role !== 'new') return { ok: false, reason: 'unknown_target' };
  return { ok: true, role };
}
