import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proxyFor } from '../testing/proxy.js';
import { send } from '../testing/support.js';
import { echo, startUpstream, type TestUpstream } from '../testing/upstream.js';
import type { StartedProxy } from '../types.js';

/** Raw HTTP over a socket: what the proxy wrote back, and when the socket closed. */
function raw(url: string, write: (socket: Socket) => unknown) {
  const { port } = new URL(url);
  const socket = connect(Number(port), '127.0.0.1');
  let answer = '';
  socket.on('data', (d) => (answer += d.toString('latin1')));
  socket.on('error', () => {});
  const started = performance.now();
  const closed = new Promise<{ answer: string; afterMs: number }>((resolve) =>
    socket.on('close', () => resolve({ answer, afterMs: performance.now() - started })),
  );
  socket.once('connect', () => void write(socket));
  return { socket, closed };
}

const statusOf = (answer: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);
const bodyOf = (answer: string) => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('client limits', () => {
  let legacy: TestUpstream;
  let proxy: StartedProxy;

  beforeAll(async () => {
    legacy = await startUpstream(echo('legacy'));
    proxy = await proxyFor({
      upstreams: { legacy: legacy.url },
      limits: {
        maxHeaderBytes: '8kb',
        maxBodyBytes: '1kb',
        headersTimeout: '1s',
        requestTimeout: '2s',
      },
    });
  });
  afterAll(async () => {
    await proxy.close();
    await legacy.close();
  });

  it('answers a header block over maxHeaderBytes with 431 JSON and closes', async () => {
    const { closed } = raw(proxy.url, (s) =>
      s.write(`GET /big HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(100 * 1024)}\r\n\r\n`),
    );
    const { answer } = await closed;
    expect(statusOf(answer)).toBe(431);
    expect(bodyOf(answer)).toEqual({
      error: 'header_too_large',
      message: 'the request line and headers are larger than limits.maxHeaderBytes allows',
    });
    expect(legacy.seen.some((r) => r.url === '/big')).toBe(false);
  });

  it('answers a body over maxBodyBytes with 413 JSON: at once for a Content-Length, and cut mid-stream for a chunked body', async () => {
    const declared = await send(`${proxy.url}/upload-declared`, {
      method: 'POST',
      body: 'x'.repeat(2048),
    });
    expect(declared.status).toBe(413);
    expect(declared.json()).toMatchObject({
      error: 'payload_too_large',
      kind: 'body_too_large',
      message: 'the request body is larger than limits.maxBodyBytes (1024 bytes)',
    });
    const { closed } = raw(proxy.url, async (s) => {
      s.write('POST /upload-chunked HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n');
      for (let i = 0; i < 4; i++) {
        s.write(`200\r\n${'y'.repeat(512)}\r\n`);
        await sleep(20);
      }
      s.write('0\r\n\r\n');
    });
    const { answer } = await closed;
    expect(statusOf(answer)).toBe(413);
    expect(bodyOf(answer)).toMatchObject({ error: 'payload_too_large' });
    expect(legacy.seen.map((r) => r.url)).not.toContain('/upload-declared');
    expect(legacy.seen.map((r) => r.url)).not.toContain('/upload-chunked');
    // Under the limit, a body goes through.
    const small = await send(`${proxy.url}/small`, { method: 'POST', body: 'z'.repeat(1000) });
    expect([small.status, small.json().bodyBytes]).toEqual([200, 1000]);
  });

  it('cuts off a client that trickles its headers (408 JSON) or its body, freeing the socket, and keeps serving others', async () => {
    const slowHeaders = raw(proxy.url, async (s) => {
      s.write('GET /slow HTTP/1.1\r\n');
      for (let i = 0; i < 40 && !s.destroyed; i++) {
        s.write(`x-drip-${i}: 1\r\n`);
        await sleep(250);
      }
    });
    const slowBody = raw(proxy.url, async (s) => {
      s.write('POST /trickle HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n');
      for (let i = 0; i < 99 && !s.destroyed; i++) {
        s.write('b');
        await sleep(250);
      }
    });
    const headers = await slowHeaders.closed;
    expect(statusOf(headers.answer)).toBe(408);
    expect(bodyOf(headers.answer)).toMatchObject({ error: 'request_timeout' });
    // 40 header lines would take 10 s: the proxy closed it long before (1 s limit, checked each 0.5 s).
    expect(headers.afterMs).toBeLessThan(8000);
    const body = await slowBody.closed;
    expect(body.afterMs).toBeLessThan(8000);
    expect(legacy.seen.filter((r) => r.url === '/trickle')).toEqual([]);
    expect((await send(`${proxy.url}/after`)).status).toBe(200);
  });

  it('refuses a request with both Content-Length and Transfer-Encoding (400 JSON)', async () => {
    const { closed } = raw(proxy.url, (s) =>
      s.write(
        'POST /smuggle HTTP/1.1\r\nhost: x\r\ncontent-length: 4\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n',
      ),
    );
    const { answer } = await closed;
    expect(statusOf(answer)).toBe(400);
    expect(bodyOf(answer)).toEqual({
      error: 'bad_request',
      message: 'a request may not carry both Content-Length and Transfer-Encoding',
    });
    expect(legacy.seen.map((r) => r.url)).not.toContain('/smuggle');
  });

  it('counts each refusal by kind in the metrics', async () => {
    const metrics = await send(`${proxy.adminUrl}/metrics`);
    expect(metrics.text).toMatch(
      /strangler_proxy_client_errors_total\{kind="header_too_large"\} 1/,
    );
    expect(metrics.text).toMatch(/strangler_proxy_client_errors_total\{kind="timeout"\} [12]/);
    expect(metrics.text).toMatch(/strangler_proxy_client_errors_total\{kind="malformed"\} 1/);
    expect(metrics.text).toMatch(/strangler_proxy_bodies_too_large_total\{route="_unmatched"\} 2/);
  });
});
