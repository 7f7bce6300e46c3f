import type { ServerResponse } from 'node:http';
import type { Reply } from '../types.js';

const REPLY = Symbol.for('strangler.new-service.reply');

/** Options of {@link json} and {@link text}. */
export interface ReplyInit {
  /** Default 200. */
  status?: number;
  headers?: Record<string, string>;
}

type Branded = Reply & { [REPLY]: true };

/** Answers `body` as JSON (`application/json; charset=utf-8`) with the status and headers given. */
export function json(body: unknown, init: ReplyInit = {}): Reply {
  return brand({ status: init.status ?? 200, headers: { ...init.headers }, body, kind: 'json' });
}

/** Answers `body` as text (`text/plain; charset=utf-8` unless a content-type header is given). */
export function text(body: string, init: ReplyInit = {}): Reply {
  return brand({ status: init.status ?? 200, headers: { ...init.headers }, body, kind: 'text' });
}

function brand(reply: Reply): Reply {
  return Object.assign(reply, { [REPLY]: true as const });
}

/** What a handler returned as a reply: a `json`/`text` reply, `undefined` (204), or a JSON 200. */
export function toReply(value: unknown): Reply {
  // A json()/text() reply may be a constant a handler returns every time: the answer gets its own
  // headers, which the server and finalizeReply then change in place.
  if (typeof value === 'object' && value !== null && REPLY in value) {
    const reply = value as Branded;
    return {
      status: reply.status,
      headers: { ...reply.headers },
      body: reply.body,
      kind: reply.kind,
    };
  }
  if (value === undefined) return { status: 204, headers: {}, body: undefined, kind: 'empty' };
  return { status: 200, headers: {}, body: value, kind: 'json' };
}

/** Writes a reply; HEAD gets the headers (with the length the body would have had) and no body. */
export function writeReply(res: ServerResponse, reply: Reply, head: boolean): void {
  // Every answer owns its headers object (toReply copies a json()/text() reply's), so no copy here.
  const headers: Record<string, string | number> = reply.headers;
  if (reply.kind === 'empty') {
    res.writeHead(reply.status, headers);
    res.end();
    return;
  }
  const body = reply.kind === 'json' ? JSON.stringify(reply.body) : String(reply.body);
  if (!hasHeader(headers, 'content-type')) {
    headers['content-type'] =
      reply.kind === 'json' ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8';
  }
  headers['content-length'] = Buffer.byteLength(body);
  res.writeHead(reply.status, headers);
  if (head) res.end();
  else res.end(body);
}

function hasHeader(headers: Record<string, unknown>, name: string): boolean {
  if (name in headers) return true;
  for (const key in headers) if (key.toLowerCase() === name) return true;
  return false;
}
