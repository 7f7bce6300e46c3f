import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { validateConfig } from '../config/validate.js';
import { expiryOf, nextExpiry, viewRules } from './ignore-rules.js';

describe('ignore rules with an owner, a reason and an expiry', () => {
  it('lasts a bare date to the end of that day (UTC), a date-time to that instant', () => {
    expect(expiryOf('2027-01-31')).toBe(Date.parse('2027-01-31T23:59:59.999Z'));
    expect(expiryOf('2027-01-31T12:00:00+02:00')).toBe(Date.parse('2027-01-31T10:00:00Z'));
  });

  it('lists every rule with its state, and finds the next expiry', () => {
    const now = Date.parse('2027-02-01T00:00:00Z');
    const rules = [
      '/generatedAt',
      {
        rule: '/etag',
        owner: 'team-a',
        reason: 'legacy hashes differently',
        expires: '2027-01-31',
      },
      {
        rule: '/items/*/updatedAt',
        owner: 'ana',
        reason: 'clock skew',
        expires: '2027-03-01T00:00:00Z',
      },
      { rule: 'header:x-trace', owner: 'ops', reason: 'per request' },
    ];
    expect(viewRules(rules, now)).toEqual([
      { rule: '/generatedAt', expired: false },
      {
        rule: '/etag',
        owner: 'team-a',
        reason: 'legacy hashes differently',
        expires: '2027-01-31',
        expired: true,
      },
      {
        rule: '/items/*/updatedAt',
        owner: 'ana',
        reason: 'clock skew',
        expires: '2027-03-01T00:00:00Z',
        expired: false,
      },
      { rule: 'header:x-trace', owner: 'ops', reason: 'per request', expired: false },
    ]);
    expect(nextExpiry(rules, now)).toBe(Date.parse('2027-03-01T00:00:00Z'));
    expect(nextExpiry(['/a'], now)).toBeUndefined();
  });

  it('refuses a rule object without an owner or a reason, or with an expiry that is no date', () => {
    const parse = (ignore: unknown) =>
      configSchema.safeParse({
        upstreams: { legacy: 'http://l', new: 'http://n' },
        routes: [{ id: 'r', match: { path: '/x' }, mode: 'shadow', shadow: { ignore: [ignore] } }],
      });
    expect(parse({ rule: '/a', owner: 'me', reason: 'why' }).success).toBe(true);
    const noOwner = parse({ rule: '/a', reason: 'why' });
    expect(noOwner.success).toBe(false);
    expect(JSON.stringify(noOwner.error?.issues)).toContain('owner');
    expect(parse({ rule: '/a', owner: 'me', reason: 'why', expires: 'next week' }).success).toBe(
      false,
    );
  });

  it('names the rule field when the pointer of a rule object is malformed', () => {
    const config = configSchema.parse({
      upstreams: { legacy: 'http://l', new: 'http://n' },
      routes: [
        {
          id: 'r',
          match: { path: '/x' },
          mode: 'shadow',
          shadow: { ignore: [{ rule: 'no-slash', owner: 'me', reason: 'why' }] },
        },
      ],
    });
    const issues = validateConfig(config);
    expect(issues.map((i) => i.path)).toEqual([['routes', 0, 'shadow', 'ignore', 0, 'rule']]);
  });
});
