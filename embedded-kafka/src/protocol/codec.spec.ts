import { describe, expect, it } from 'vitest';
import { EmbeddedKafkaError } from '../errors.js';
import { crc32c } from './crc32c.js';
import { FrameDecoder } from './frame.js';
import { Reader } from './reader.js';
import { Writer } from './writer.js';

describe('Writer and Reader', () => {
  it('round-trip every primitive the protocol uses', () => {
    const blob = Buffer.from('raw-bytes');
    const w = new Writer(4)
      .int8(-3)
      .bool(true)
      .int16(-300)
      .int32(70_000)
      .int64(2 ** 40 + 7)
      .string('héllo')
      .string(null)
      .bytes(Buffer.from([1, 2, 3]))
      .bytes(null)
      .array([1, 2, 3], (w, n) => w.int32(n))
      .array(null, () => {})
      .raw(blob)
      .int16(9);
    const buf = w.toBuffer();
    expect(buf.length).toBe(w.length);
    const r = new Reader(buf);
    expect(r.int8()).toBe(-3);
    expect(r.bool()).toBe(true);
    expect(r.int16()).toBe(-300);
    expect(r.int32()).toBe(70_000);
    expect(r.int64()).toBe(2 ** 40 + 7);
    expect(r.string()).toBe('héllo');
    expect(r.nullableString()).toBeNull();
    expect([...r.bytes()]).toEqual([1, 2, 3]);
    expect(r.nullableBytes()).toBeNull();
    expect(r.array((r) => r.int32())).toEqual([1, 2, 3]);
    expect(r.nullableArray((r) => r.int32())).toBeNull();
    r.skip(blob.length);
    expect(r.int16()).toBe(9);
    expect(r.remaining).toBe(0);
  });

  it('appends raw buffers by reference instead of copying them', () => {
    const big = Buffer.alloc(10_000, 7);
    const parts = new Writer().int32(1).raw(big).int32(2).toBuffers();
    expect(parts).toContain(big);
  });

  it('rejects reads past the end of a frame with MALFORMED_REQUEST', () => {
    const r = new Reader(Buffer.from([0, 5, 65]));
    expect(() => r.string()).toThrowError(/needed 5 more at byte 2/);
    try {
      new Reader(Buffer.from([0])).int32();
    } catch (e) {
      expect(e).toBeInstanceOf(EmbeddedKafkaError);
      expect((e as EmbeddedKafkaError).code).toBe('MALFORMED_REQUEST');
    }
  });

  it('rejects an array count larger than the bytes left, before allocating it', () => {
    const buf = new Writer().int32(1_000_000_000).toBuffer();
    expect(() => new Reader(buf).array((r) => r.int8())).toThrowError(/array length 1000000000/);
  });

  it('decodes zig-zag varints, including multi-byte and negative values', () => {
    // 300 -> zigzag 600 -> 0xd8 0x04; -1 -> 1; -65 -> 129 -> 0x81 0x01
    const r = new Reader(Buffer.from([0xd8, 0x04, 0x01, 0x81, 0x01, 0x00]));
    expect([r.varint(), r.varint(), r.varint(), r.varint()]).toEqual([300, -1, -65, 0]);
  });
});

describe('crc32c', () => {
  it('matches the standard check value and is independent of alignment', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    const padded = Buffer.concat([Buffer.from('xyz'), Buffer.from('123456789')]);
    expect(crc32c(padded, 3)).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
  });
});

describe('FrameDecoder', () => {
  const frame = (body: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, body.length]), body]);
  const body = Buffer.alloc(20, 1);

  it('reassembles frames split across chunks and splits several frames in one chunk', () => {
    const d = new FrameDecoder(1000);
    const bytes = Buffer.concat([frame(body), frame(body)]);
    expect(d.push(bytes.subarray(0, 3))).toEqual([]);
    expect(d.push(bytes.subarray(3, 30))).toHaveLength(1);
    const rest = d.push(bytes.subarray(30));
    expect(rest).toHaveLength(1);
    expect(rest[0]).toEqual(body);
  });

  it('refuses sizes beyond the limit and sizes smaller than any request header', () => {
    expect(() => new FrameDecoder(100).push(Buffer.from([0, 0, 1, 0]))).toThrowError(
      /outside 12..100/,
    );
    expect(() => new FrameDecoder(100).push(Buffer.from([0xff, 0xff, 0xff, 0xff]))).toThrowError(
      /size -1/,
    );
    expect(() => new FrameDecoder(100).push(Buffer.from([0, 0, 0, 3]))).toThrowError(/size 3/);
  });
});
