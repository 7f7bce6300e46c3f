import { EmbeddedKafkaError } from '../errors.js';

/**
 * Reads Kafka protocol primitives from one request frame. Every read is bounds-checked and throws
 * a MALFORMED_REQUEST error instead of returning garbage, so a bad frame closes its connection and
 * nothing else.
 */
export class Reader {
  offset = 0;
  constructor(readonly buf: Buffer) {}

  get remaining(): number {
    return this.buf.length - this.offset;
  }

  private take(n: number): number {
    if (n < 0 || this.offset + n > this.buf.length) {
      throw new EmbeddedKafkaError(
        'MALFORMED_REQUEST',
        `frame ends after ${this.buf.length} bytes; needed ${n} more at byte ${this.offset}`,
      );
    }
    const at = this.offset;
    this.offset += n;
    return at;
  }

  int8(): number {
    return this.buf.readInt8(this.take(1));
  }
  bool(): boolean {
    return this.int8() !== 0;
  }
  int16(): number {
    return this.buf.readInt16BE(this.take(2));
  }
  int32(): number {
    return this.buf.readInt32BE(this.take(4));
  }
  /** int64 as a JS number; offsets and timestamps stay far below 2^53. */
  int64(): number {
    return Number(this.buf.readBigInt64BE(this.take(8)));
  }

  nullableString(): string | null {
    const len = this.int16();
    if (len === -1) return null;
    if (len < -1) throw new EmbeddedKafkaError('MALFORMED_REQUEST', `string length ${len}`);
    const at = this.take(len);
    return this.buf.toString('utf8', at, at + len);
  }
  string(): string {
    const s = this.nullableString();
    if (s === null)
      throw new EmbeddedKafkaError('MALFORMED_REQUEST', 'null where a string is required');
    return s;
  }

  nullableBytes(): Buffer | null {
    const len = this.int32();
    if (len === -1) return null;
    if (len < -1) throw new EmbeddedKafkaError('MALFORMED_REQUEST', `bytes length ${len}`);
    const at = this.take(len);
    return this.buf.subarray(at, at + len);
  }
  bytes(): Buffer {
    return this.nullableBytes() ?? Buffer.alloc(0);
  }

  /** An array; null (-1) reads as null so callers can tell "all" from "none". */
  nullableArray<T>(item: (r: Reader) => T): T[] | null {
    const n = this.int32();
    if (n === -1) return null;
    // Each element takes at least one byte: a count beyond that is a lie, not a big array.
    if (n < -1 || n > this.remaining) {
      throw new EmbeddedKafkaError(
        'MALFORMED_REQUEST',
        `array length ${n} at byte ${this.offset - 4}`,
      );
    }
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) out[i] = item(this);
    return out;
  }
  array<T>(item: (r: Reader) => T): T[] {
    return this.nullableArray(item) ?? [];
  }

  /** Zig-zag varint as used inside records. */
  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.buf.readUInt8(this.take(1));
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) break;
      shift += 7;
      if (shift > 63) throw new EmbeddedKafkaError('MALFORMED_REQUEST', 'varint too long');
    }
    // zig-zag decode without 32-bit bit operations, so varlongs work too
    return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
  }

  skip(n: number): void {
    this.take(n);
  }
}
