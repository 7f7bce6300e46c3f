import { once } from 'node:events';
import type { Socket } from 'node:net';
import {
  API_VERSIONS_KEY,
  HANDLER_BY_KEY,
  HANDLERS,
  unsupportedApiVersionsBody,
  type RequestContext,
} from '../apis/index.js';
import { EmbeddedKafkaError } from '../errors.js';
import { FrameDecoder } from '../protocol/frame.js';
import { Reader } from '../protocol/reader.js';
import type { Writer } from '../protocol/writer.js';
import type { BrokerState } from './state.js';

/** Frames queued before we stop reading from a client that pipelines faster than we answer. */
const MAX_QUEUED_FRAMES = 64;

/**
 * One client connection. Requests are handled one at a time, in order, and answered in order, as a
 * Kafka broker does (kafkajs pipelines requests and relies on it). A malformed frame closes this
 * connection with a log line and touches nothing else.
 */
export class Connection {
  private readonly frames: FrameDecoder;
  private readonly queue: Buffer[] = [];
  private busy = false;
  private readonly abort = new AbortController();
  private readonly peer: string;

  constructor(
    private readonly socket: Socket,
    private readonly state: BrokerState,
    onClose: (c: Connection) => void,
  ) {
    this.peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    this.frames = new FrameDecoder(state.options.maxRequestBytes);
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', (e) => state.logger.debug(`connection ${this.peer}: ${e.message}`));
    socket.on('close', () => {
      this.abort.abort();
      onClose(this);
    });
  }

  close(): void {
    this.abort.abort();
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    try {
      for (const frame of this.frames.push(chunk)) this.queue.push(frame);
    } catch (e) {
      this.drop(e);
      return;
    }
    if (this.queue.length > MAX_QUEUED_FRAMES) this.socket.pause();
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    while (this.queue.length > 0 && !this.socket.destroyed) {
      if (this.queue.length <= MAX_QUEUED_FRAMES / 2 && this.socket.isPaused())
        this.socket.resume();
      await this.handle(this.queue.shift()!);
    }
    this.busy = false;
  }

  private async handle(frame: Buffer): Promise<void> {
    let label = 'request';
    try {
      const r = new Reader(frame);
      const apiKey = r.int16();
      const version = r.int16();
      const correlationId = r.int32();
      const clientId = r.nullableString() ?? '';
      const handler = HANDLER_BY_KEY.get(apiKey);
      label = `${handler?.name ?? `API key ${apiKey}`} v${version} from client "${clientId}"`;
      if (!handler) {
        throw new EmbeddedKafkaError(
          'UNSUPPORTED_API',
          `${label}: this broker does not serve API key ${apiKey}`,
        );
      }
      if (version !== handler.version) {
        if (apiKey === API_VERSIONS_KEY)
          return await this.respond(correlationId, unsupportedApiVersionsBody(HANDLERS));
        throw new EmbeddedKafkaError(
          'UNSUPPORTED_API',
          `${label}: only v${handler.version} is served (kafkajs 2.2.4's version)`,
        );
      }
      const ctx: RequestContext = {
        state: this.state,
        clientId,
        clientHost: `/${this.socket.remoteAddress ?? ''}`,
        signal: this.abort.signal,
      };
      const body = await handler.handle(r, ctx);
      if (body) await this.respond(correlationId, body);
    } catch (e) {
      this.drop(e, label);
    }
  }

  private async respond(correlationId: number, body: Writer): Promise<void> {
    if (this.socket.destroyed) return;
    const header = Buffer.allocUnsafe(8);
    header.writeInt32BE(4 + body.length, 0);
    header.writeInt32BE(correlationId, 4);
    this.socket.cork();
    this.socket.write(header);
    for (const b of body.toBuffers()) this.socket.write(b);
    this.socket.uncork();
    // A slow reader must not make us buffer response after response in memory.
    if (this.socket.writableNeedDrain)
      await Promise.race([once(this.socket, 'drain'), once(this.socket, 'close')]);
  }

  private drop(e: unknown, label = 'data'): void {
    const known = e instanceof EmbeddedKafkaError;
    const message = known ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e);
    const log = known ? this.state.logger.warn : this.state.logger.error;
    log(
      `closing connection ${this.peer}: ${known && e.code === 'MALFORMED_REQUEST' ? `malformed ${label}: ` : ''}${message}`,
    );
    this.close();
  }
}
