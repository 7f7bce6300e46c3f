import { describe, expect, it } from 'vitest';
import { BODY_VIEW_BYTES, bodyView } from './body-view.js';

const answer = (body: Buffer, type = 'application/json') => ({
  status: 200,
  headers: { 'content-type': type },
  body,
});

describe('bodyView', () => {
  it('keeps a text body whole with its type and size', () => {
    expect(bodyView(answer(Buffer.from('{"qty":3}')))).toEqual({
      bytes: 9,
      contentType: 'application/json',
      text: '{"qty":3}',
    });
  });

  it('cuts a long body at the limit without leaving half a character', () => {
    const body = Buffer.from(`a${'é'.repeat(BODY_VIEW_BYTES)}`); // the cut falls inside an é
    const view = bodyView(answer(body, 'text/plain'));
    expect(view.truncated).toBe(true);
    expect(view.bytes).toBe(body.length);
    expect(view.text).toBe(`a${'é'.repeat(BODY_VIEW_BYTES / 2 - 1)}`);
  });

  it('keeps only the size of a body that is not text', () => {
    expect(bodyView(answer(Buffer.from([0xff, 0xfe, 0x00]), 'image/png'))).toEqual({
      bytes: 3,
      contentType: 'image/png',
    });
  });
});
