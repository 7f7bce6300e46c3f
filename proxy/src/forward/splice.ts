import type { Duplex } from 'node:stream';

/** How long a tunnel stays half-open after one side finished, for data still on its way. */
const HALF_OPEN_GRACE_MS = 1000;

/**
 * Ties the lifetimes of two sockets of an upgraded connection together: when one closes or
 * errors, the other is destroyed; when one ends, the other is ended and both are closed shortly
 * after. Without this, a peer that never answers a FIN (HTTP servers allow half-open sockets)
 * would leave the tunnel open forever.
 */
export function tieSockets(a: Duplex, b: Duplex): void {
  const close = () => {
    a.destroy();
    b.destroy();
  };
  const ended = () => setTimeout(close, HALF_OPEN_GRACE_MS).unref();
  for (const s of [a, b]) {
    s.once('close', close);
    s.once('end', ended);
    s.on('error', close);
  }
}

/** Pipes two sockets into each other and ties their lifetimes. */
export function splice(a: Duplex, b: Duplex): void {
  tieSockets(a, b);
  a.pipe(b);
  b.pipe(a);
}
