import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Tracks requests in flight and upgraded sockets, and closes a server gracefully: stop accepting,
 * let in-flight requests finish (their responses carry `Connection: close`), close idle
 * keep-alive connections as they free up, and force the rest after the timeout.
 */
export class Drain {
  private inFlight = 0;
  private closing = false;
  private readonly upgraded = new Set<Duplex>();
  private waiters: (() => void)[] = [];

  get draining(): boolean {
    return this.closing;
  }

  get active(): number {
    return this.inFlight;
  }

  started(): void {
    this.inFlight++;
  }

  settled(server: Server): void {
    this.inFlight--;
    if (!this.closing) return;
    // The connection turns idle only once the response is flushed: look again on the next turn.
    setImmediate(() => server.closeIdleConnections());
    if (this.inFlight === 0) {
      for (const wake of this.waiters.splice(0)) wake();
    }
  }

  trackUpgrade(socket: Duplex): void {
    this.upgraded.add(socket);
    socket.once('close', () => this.upgraded.delete(socket));
  }

  /** Resolves true when everything finished in time, false when it had to force connections. */
  async close(server: Server, timeoutMs: number): Promise<boolean> {
    this.closing = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const finished =
      this.inFlight === 0
        ? Promise.resolve(true)
        : new Promise<boolean>((resolve) => {
            this.waiters.push(() => resolve(true));
            timer = setTimeout(() => resolve(false), timeoutMs);
          });
    const clean = await finished;
    if (timer) clearTimeout(timer);
    // Websockets have no request boundary to wait for: they close once HTTP traffic has drained.
    for (const socket of this.upgraded) socket.destroy();
    server.closeAllConnections();
    await closed;
    return clean;
  }
}
