import { describe, expect, it } from 'vitest';
import { formatLsn, parseLsn } from './lsn.js';

describe('LSN', () => {
  it('round-trips Postgres text form and orders numerically', () => {
    expect(parseLsn('0/16B3748')).toBe(0x16b3748n);
    expect(formatLsn(parseLsn('A/0000001F'))).toBe('A/1F');
    expect(parseLsn('1/0') > parseLsn('0/FFFFFFFF')).toBe(true);
  });

  it('rejects text that is not an LSN, saying what it expected', () => {
    expect(() => parseLsn('16B3748')).toThrow('not an LSN: "16B3748" (expected e.g. "0/16B3748")');
  });
});
