import { describe, expect, it } from 'vitest';
import { headersFromJson, headersToJson, jsonWithoutNul, noNul } from './raw-message.js';

describe('dead-letter headers as JSON', () => {
  it('keeps every header byte for byte: UTF-8 as text, other bytes as base64, repeats as arrays', () => {
    const headers = {
      ce_id: Buffer.from('e-1'),
      binary: Buffer.from([0xff, 0x00, 0x13]),
      nul: Buffer.from('a\u0000b'),
      repeated: [Buffer.from('one'), Buffer.from('two')],
      text: 'plain',
    };
    const json = headersToJson(headers);
    expect(json).toEqual({
      ce_id: 'e-1',
      binary: { base64: Buffer.from([0xff, 0x00, 0x13]).toString('base64') },
      nul: { base64: Buffer.from('a\u0000b').toString('base64') },
      repeated: ['one', 'two'],
      text: 'plain',
    });
    const back = headersFromJson(JSON.parse(JSON.stringify(json)));
    expect(back.binary).toEqual(headers.binary);
    expect(back.nul).toEqual(headers.nul);
    expect(back.repeated).toEqual(headers.repeated);
  });

  it('replaces NUL, which Postgres text cannot hold, in text and in JSON', () => {
    expect(noNul('a\u0000b')).toBe('a\uFFFDb');
    expect(jsonWithoutNul({ 'k\u0000': ['v\u0000', 1] })).toEqual({ 'k\uFFFD': ['v\uFFFD', 1] });
  });
});
