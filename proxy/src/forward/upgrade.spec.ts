import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proxyFor } from '../testing/proxy.js';
import { eventually } from '../testing/support.js';
import { deadPort } from '../testing/upstream.js';
import type { StartedProxy } from '../types.js';

/** An upgrade-only server that echoes every byte back prefixed with its name. */
async function socketServer(name: string): Promise<{
  url: string;
  server: Server;
  seenHeaders: Record<string, unknown>[];
  closed: () => number;
}> {
  const seenHeaders: Record<string, unknown>[] = [];
  let closed = 0;
  const server = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' });
    res.end('upgrade required');
  });
  server.on('upgrade', (req, socket: Duplex) => {
    seenHeaders.push(req.headers);
    if (req.url === '/refuse') {
      socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 2\r\n\r\nno');
      return;
    }
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n\r\n',
    );
    socket.on('data', (chunk: Buffer) => socket.write(`${name}:${chunk.toString()}`));
    socket.on('end', () => socket.end());
    socket.on('close', () => closed++);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    seenHeaders,
    closed: () => closed,
  };
}

function upgrade(
  url: string,
): Promise<{ status: number; headers: Record<string, unknown>; socket?: Duplex; body?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13' },
    });
    req.on('upgrade', (res, socket) =>
      resolve({ status: res.statusCode ?? 0, headers: res.headers, socket }),
    );
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function exchange(socket: Duplex, text: string): Promise<string> {
  return new Promise((resolve) => {
    socket.once('data', (chunk: Buffer) => resolve(chunk.toString()));
    socket.write(text);
  });
}

describe('websocket upgrades', () => {
  let legacy: Awaited<ReturnType<typeof socketServer>>;
  let fresh: Awaited<ReturnType<typeof socketServer>>;
  let proxy: StartedProxy;

  beforeAll(async () => {
    legacy = await socketServer('legacy');
    fresh = await socketServer('new');
    proxy = await proxyFor({
      upstreams: { legacy: legacy.url, new: fresh.url },
      routes: [{ id: 'live', match: { path: '/live/**' }, mode: 'new' }],
    });
  });
  afterAll(async () => {
    await proxy.close();
    for (const s of [legacy.server, fresh.server]) {
      s.closeAllConnections();
      s.close();
    }
  });

  it('forwards an upgrade to the side the route picks, relays bytes both ways, and closes the upstream when the client leaves', async () => {
    const res = await upgrade(`${proxy.url}/live/prices`);
    expect(res.status).toBe(101);
    expect(res.headers['x-served-by']).toBe('new');
    const socket = res.socket as Duplex;
    expect(await exchange(socket, 'ping')).toBe('new:ping');
    expect(await exchange(socket, 'again')).toBe('new:again');
    expect(fresh.seenHeaders[0]).toMatchObject({
      upgrade: 'websocket',
      'sec-websocket-version': '13',
      'x-forwarded-for': '127.0.0.1',
    });
    socket.destroy();
    await eventually(() => expect(fresh.closed()).toBe(1));
  });

  it('sends unmatched upgrades to legacy', async () => {
    const res = await upgrade(`${proxy.url}/socket`);
    expect(res.status).toBe(101);
    expect(await exchange(res.socket as Duplex, 'hi')).toBe('legacy:hi');
    res.socket?.destroy();
  });

  it("passes an upstream's refusal to upgrade back to the client", async () => {
    const res = await upgrade(`${proxy.url}/refuse`);
    expect(res.status).toBe(403);
    expect(res.body).toBe('no');
  });

  it('answers 502 when the upstream cannot be reached', async () => {
    const p = await proxyFor({ upstreams: { legacy: `http://127.0.0.1:${await deadPort()}` } });
    const res = await upgrade(`${p.url}/socket`);
    expect(res.status).toBe(502);
    expect(JSON.parse(res.body ?? '{}')).toMatchObject({
      error: 'bad_gateway',
      kind: 'unreachable',
    });
    await p.close();
  });
});
