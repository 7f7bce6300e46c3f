import { describe, expect, it } from 'vitest';
import { signOverride, verifyOverride } from './override.js';

const SECRET = 'a-secret-of-at-least-16-chars';
const inAnHour = new Date(Date.now() + 3_600_000);

describe('tester override tokens', () => {
  it('accepts a token signed with the configured secret', () => {
    expect(verifyOverride(signOverride(SECRET, 'new', inAnHour), SECRET)).toEqual({
      ok: true,
      role: 'new',
    });
    expect(verifyOverride(signOverride(SECRET, 'legacy', inAnHour), SECRET)).toEqual({
      ok: true,
      role: 'legacy',
    });
  });

  it('ignores an unsigned value', () => {
    expect(verifyOverride('new', SECRET)).toEqual({ ok: false, reason: 'unsigned' });
    expect(verifyOverride('new.9999999999', SECRET)).toEqual({ ok: false, reason: 'unsigned' });
  });

  it('ignores a token signed with another secret', () => {
    const token = signOverride('some-other-secret-0123456', 'new', inAnHour);
    expect(verifyOverride(token, SECRET)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('ignores a token whose side was changed after signing', () => {
    const token = signOverride(SECRET, 'legacy', inAnHour).replace(/^legacy/, 'new');
    expect(verifyOverride(token, SECRET)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('ignores an expired token', () => {
    const token = signOverride(SECRET, 'new', new Date(Date.now() - 1000));
    expect(verifyOverride(token, SECRET)).toEqual({ ok: false, reason: 'expired' });
  });

  it('ignores every token when no secret is configured', () => {
    expect(verifyOverride(signOverride(SECRET, 'new', inAnHour), undefined)).toEqual({
      ok: false,
      reason: 'no_secret',
    });
  });
});
