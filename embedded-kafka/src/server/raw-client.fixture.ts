import { connect, type Socket } from 'node:net';
import { Writer } from '../protocol/writer.js';

/** A bare TCP client for sending hand-made (and deliberately broken) Kafka frames. */
export class RawClient {
  private received = Buffer.alloc(0);
  private closedFlag = false;
  private constructor(private readonly socket: Socket) {
    socket.on('data', (d) => (this.received = Buffer.concat([this.received, d])));
    socket.on('close', () => (this.closedFlag = true));
    socket.on('error', () => {});
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** A request frame: size, api key, version, correlation id, client id, body. */
  static frame(
    apiKey: number,
    version: number,
    correlationId: number,
    body: Buffer = Buffer.alloc(0),
  ): Buffer {
    const payload = new Writer()
      .int16(apiKey)
      .int16(version)
      .int32(correlationId)
      .string('raw-test')
      .raw(body)
      .toBuffer();
    return Buffer.concat([new Writer().int32(payload.length).toBuffer(), payload]);
  }

  /** Resolves with the next complete response frame (without its size prefix). */
  async response(timeoutMs = 5_000): Promise<Buffer> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (this.received.length >= 4) {
        const size = this.received.readInt32BE(0);
        if (this.received.length >= 4 + size) {
          const frame = this.received.subarray(4, 4 + size);
          this.received = this.received.subarray(4 + size);
          return frame;
        }
      }
      if (this.closedFlag) throw new Error('connection closed before a response');
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error('no response in time');
  }

  /** Resolves true once the broker has closed the connection. */
  async closed(timeoutMs = 5_000): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (this.closedFlag) return true;
      await new Promise((r) => setTimeout(r, 5));
    }
    return false;
  }

  destroy(): void {
    this.socket.destroy();
  }
}
