import { describe, expect, it } from 'vitest';
import { classify } from './failures.js';

const err = (code: string) => Object.assign(new Error(code), { code });

describe('classify', () => {
  it.each([
    ['ECONNREFUSED', 502, 'unreachable'],
    ['ENOTFOUND', 502, 'unreachable'],
    ['EHOSTUNREACH', 502, 'unreachable'],
    ['UND_ERR_CONNECT_TIMEOUT', 504, 'connect_timeout'],
    ['UND_ERR_HEADERS_TIMEOUT', 504, 'timeout'],
    ['UND_ERR_BODY_TIMEOUT', 504, 'idle_timeout'],
    ['UND_ERR_SOCKET', 502, 'reset'],
    ['ECONNRESET', 502, 'reset'],
    ['UND_ERR_ABORTED', 499, 'client_aborted'],
    ['UND_ERR_REQ_CONTENT_LENGTH_MISMATCH', 400, 'bad_request_body'],
    ['ERR_HTTP_INVALID_HEADER', 502, 'bad_upstream_response'],
    ['SOMETHING_ELSE', 502, 'upstream_error'],
  ])('maps %s to %i %s', (code, status, kind) => {
    expect(classify(err(code), 'new')).toMatchObject({ status, kind });
  });

  it('looks at the cause when the error wraps another', () => {
    const wrapped = Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    expect(classify(wrapped, 'legacy')).toMatchObject({
      status: 502,
      kind: 'unreachable',
      message: 'the legacy upstream is unreachable (ECONNREFUSED)',
    });
  });
});
