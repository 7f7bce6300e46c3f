import type { Readable } from 'node:stream';

/** Keeps the first `cap` bytes of a stream's chunks and counts the rest. */
export class BodyCapture {
  private chunks: Buffer[] = [];
  private kept = 0;
  bytes = 0;
  truncated = false;
  complete = false;

  constructor(private readonly cap: number) {}

  add(chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.cap <= 0) return;
    const room = this.cap - this.kept;
    if (room <= 0) {
      this.truncated = true;
      return;
    }
    // Copied: the caller may reuse the buffer once it returns.
    const part = chunk.length <= room ? Buffer.from(chunk) : Buffer.from(chunk.subarray(0, room));
    if (chunk.length > room) this.truncated = true;
    this.chunks.push(part);
    this.kept += part.length;
  }

  body(): Buffer | undefined {
    if (this.cap <= 0) return undefined;
    // Most bodies arrive in one chunk, already copied: no second copy.
    return this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.kept);
  }

  /**
   * Observes a request body while it is forwarded. `prependListener` does not switch the stream to
   * flowing mode (unlike `on('data')`), so it neither steals data from nor changes the pace of
   * whoever reads the body: the proxy's forwarder, or an express app's own body parser.
   */
  observe(stream: Readable): this {
    if (stream.readableEnded) {
      this.complete = true;
      return this;
    }
    stream.prependListener('data', (chunk: Buffer) => this.add(chunk));
    stream.once('end', () => {
      this.complete = true;
    });
    return this;
  }
}
