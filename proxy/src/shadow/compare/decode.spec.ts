import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeBody } from './decode.js';

const text = Buffer.from(JSON.stringify({ hello: 'world'.repeat(50) }));

describe('decodeBody', () => {
  it.each([
    ['gzip', gzipSync(text)],
    ['x-gzip', gzipSync(text)],
    ['br', brotliCompressSync(text)],
    ['deflate', deflateSync(text)],
    ['deflate', deflateRawSync(text)],
    ['identity', text],
    [undefined, text],
  ])('undoes content-encoding %s', async (encoding, body) => {
    expect(await decodeBody(body, encoding, 1 << 20)).toEqual({ ok: true, body: text });
  });

  it('undoes stacked encodings in reverse order of application', async () => {
    const body = brotliCompressSync(gzipSync(text));
    expect(await decodeBody(body, 'gzip, br', 1 << 20)).toEqual({ ok: true, body: text });
  });

  it('refuses to inflate past the cap, so a small bomb cannot fill memory', async () => {
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(20_000);
    expect(await decodeBody(bomb, 'gzip', 1024 * 1024)).toMatchObject({
      ok: false,
      reason: 'size',
    });
  });

  it('reports corrupt bodies and unknown encodings instead of throwing', async () => {
    expect(await decodeBody(Buffer.from('not gzip'), 'gzip', 1024)).toMatchObject({
      ok: false,
      reason: 'encoding',
    });
    expect(await decodeBody(text, 'zstd', 1024)).toMatchObject({
      ok: false,
      reason: 'encoding',
      message: expect.stringContaining('zstd'),
    });
  });
});
