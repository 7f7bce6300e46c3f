/**
 * Builds a response as a list of buffers. Stored record batches are appended by reference, so a
 * fetch response never copies the log.
 */
export class Writer {
  private chunks: Buffer[] = [];
  private buf: Buffer;
  private pos = 0;
  private total = 0;

  constructor(initial = 256) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  /**
   * Reserves n bytes and returns where they start. It may swap `this.buf`, so callers must call it
   * before reading `this.buf` (`this.buf.write(v, this.room(n))` would write to the old buffer).
   */
  private room(n: number): number {
    if (this.pos + n > this.buf.length) {
      this.flush();
      if (this.buf.length < n) this.buf = Buffer.allocUnsafe(Math.max(n, 4096));
    }
    const at = this.pos;
    this.pos += n;
    this.total += n;
    return at;
  }

  private flush(): void {
    if (this.pos > 0) this.chunks.push(this.buf.subarray(0, this.pos));
    this.buf = this.buf.subarray(this.pos);
    this.pos = 0;
  }

  get length(): number {
    return this.total;
  }

  int8(v: number): this {
    const at = this.room(1);
    this.buf.writeInt8(v, at);
    return this;
  }
  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }
  int16(v: number): this {
    const at = this.room(2);
    this.buf.writeInt16BE(v, at);
    return this;
  }
  int32(v: number): this {
    const at = this.room(4);
    this.buf.writeInt32BE(v, at);
    return this;
  }
  int64(v: number | bigint): this {
    const at = this.room(8);
    this.buf.writeBigInt64BE(BigInt(v), at);
    return this;
  }
  string(v: string | null): this {
    if (v === null) return this.int16(-1);
    const len = Buffer.byteLength(v);
    this.int16(len);
    const at = this.room(len);
    this.buf.write(v, at, len, 'utf8');
    return this;
  }
  bytes(v: Buffer | null): this {
    if (v === null) return this.int32(-1);
    this.int32(v.length);
    return this.raw(v);
  }
  array<T>(items: readonly T[] | null, write: (w: this, item: T) => void): this {
    if (items === null) return this.int32(-1);
    this.int32(items.length);
    for (const item of items) write(this, item);
    return this;
  }
  /** Appends a buffer by reference (no copy). */
  raw(v: Buffer): this {
    if (v.length === 0) return this;
    this.flush();
    this.chunks.push(v);
    this.total += v.length;
    return this;
  }

  /** The written bytes as buffers, in order. */
  toBuffers(): Buffer[] {
    this.flush();
    return this.chunks;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.toBuffers(), this.total);
  }
}
