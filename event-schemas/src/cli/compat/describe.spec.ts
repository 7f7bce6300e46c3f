import { describe, expect, it } from 'vitest';
import { describeBreak } from './describe.js';

const accountOpened = {
  name: 'AccountOpened',
  version: 1,
  type: 'com.example.bank.account_opened.v1',
};

describe('describeBreak', () => {
  it('names event, version, type, field, direction, change, consequence and fix', () => {
    const line = describeBreak(
      accountOpened,
      { path: 'data.currency', rule: 'required', keyword: 'required', writer: 'absent' },
      'BACKWARD',
    );
    expect(line).toBe(
      'AccountOpened v1 (com.example.bank.account_opened.v1): data.currency: BACKWARD: added as required; events written before cannot be read. Make it optional, or publish v2 with previous + upcast.',
    );
  });

  it('says what a FORWARD break does to consumers of the released schema', () => {
    const line = describeBreak(
      accountOpened,
      { path: 'data.owner', rule: 'required', keyword: 'required', writer: 'absent' },
      'FORWARD',
    );
    expect(line).toBe(
      'AccountOpened v1 (com.example.bank.account_opened.v1): data.owner: FORWARD: no longer written, but the released schema requires it; consumers still on the released schema cannot read new events. Undo the change, or publish v2 with previous + upcast.',
    );
  });

  it('describes changes from the released value to the current one in both directions', () => {
    const bound = { path: 'data.qty', rule: 'bound' as const, keyword: 'lower bound' };
    expect(
      describeBreak(accountOpened, { ...bound, reader: '>= 1', writer: '>= 0' }, 'BACKWARD'),
    ).toContain('data.qty: BACKWARD: lower bound changed from >= 0 to >= 1;');
    expect(
      describeBreak(accountOpened, { ...bound, reader: '>= 1', writer: '>= 0' }, 'FORWARD'),
    ).toContain('data.qty: FORWARD: lower bound changed from >= 1 to >= 0;');
  });

  it('words the other rules', () => {
    const at = { path: 'data.x' };
    const line = (found: object, direction: 'BACKWARD' | 'FORWARD' = 'BACKWARD') =>
      describeBreak(accountOpened, { ...at, ...found } as never, direction);
    expect(line({ rule: 'type', keyword: 'type', reader: 'number', writer: 'string' })).toContain(
      'type changed from string to number',
    );
    expect(line({ rule: 'nullable', keyword: 'type' })).toContain('null no longer accepted');
    expect(line({ rule: 'nullable', keyword: 'type' }, 'FORWARD')).toContain('may now be null');
    expect(line({ rule: 'enum', keyword: 'enum', reader: '"a"', writer: '"b"' })).toContain(
      'enum narrowed: "b" no longer accepted',
    );
    expect(line({ rule: 'pattern', keyword: 'pattern', reader: '^a$' })).toContain(
      'pattern added: ^a$',
    );
    expect(line({ rule: 'required', keyword: 'required', writer: 'optional' })).toContain(
      'made required',
    );
    expect(line({ rule: 'closed', keyword: 'field' }, 'FORWARD')).toContain(
      'added, but the released schema refuses unknown fields',
    );
    expect(line({ rule: 'unproven', keyword: 'not' })).toContain(
      'changed in a way the check cannot prove compatible (not)',
    );
  });
});
