import { describe, expect, it } from 'vitest';
import { rejected, versionConflict } from '../errors.js';
import { defaultDeadLetterReason } from './classify.js';

describe('defaultDeadLetterReason', () => {
  it('dead-letters what fails the same way every time, and retries what may pass later', () => {
    expect(defaultDeadLetterReason(rejected('unknown_batch', 'no batch b-1'))).toEqual({
      code: 'unknown_batch',
      message: 'no batch b-1',
    });
    expect(
      defaultDeadLetterReason(Object.assign(new Error('value too long'), { code: '22001' })),
    ).toEqual({ code: 'database_rejected', message: 'value too long (SQLSTATE 22001)' });
    // Lost races and outages: retried, never skipped.
    expect(defaultDeadLetterReason(versionConflict('product P moved on'))).toBeUndefined();
    expect(
      defaultDeadLetterReason(Object.assign(new Error('could not serialize'), { code: '40001' })),
    ).toBeUndefined();
    expect(defaultDeadLetterReason(new Error('a bug'))).toBeUndefined();
  });
});
