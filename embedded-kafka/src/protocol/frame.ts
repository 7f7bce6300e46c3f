import { EmbeddedKafkaError } from '../errors.js';

/** Splits a byte stream into size-prefixed Kafka request frames. */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private bytes = 0;

  constructor(private readonly maxFrameBytes: number) {}

  /** Adds bytes; returns the frames completed by them. Throws on a size no request can have. */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    const frames: Buffer[] = [];
    while (this.bytes >= 4) {
      const head = this.peek(4);
      const size = head.readInt32BE(0);
      if (size < 12 || size > this.maxFrameBytes) {
        // Smaller than a request header, or beyond the limit: not a Kafka request.
        throw new EmbeddedKafkaError(
          size > this.maxFrameBytes ? 'FRAME_TOO_LARGE' : 'MALFORMED_REQUEST',
          `request frame size ${size} is outside 12..${this.maxFrameBytes} bytes`,
        );
      }
      if (this.bytes < 4 + size) break;
      frames.push(this.take(4 + size).subarray(4));
    }
    return frames;
  }

  private peek(n: number): Buffer {
    if (this.chunks[0]!.length < n) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!;
  }

  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.bytes -= n;
    return out;
  }
}
