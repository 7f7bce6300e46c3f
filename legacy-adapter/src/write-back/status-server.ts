import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WriteBackBehind, WriteBackStatus } from '../types.js';

interface Sources {
  status(): WriteBackStatus;
  applied(topic: string, offsets: Record<string, string>): Promise<WriteBackBehind[]>;
  topic: string;
}

/**
 * The write-back's status port: `GET /healthz`, `GET /status`, and `GET /applied?topic=&offsets=`
 * (200 `{ applied: true }` once legacy has everything before those offsets, else 409 with the
 * partitions behind), which the proxy's write barrier asks before writes move back to legacy.
 */
export async function startWriteBackStatus(
  port: number,
  host: string,
  s: Sources,
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const reply = (code: number, body: unknown) =>
      res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const url = new URL(req.url ?? '/', 'http://status');
    if (url.pathname === '/healthz') {
      const state = s.status().state;
      reply(state === 'running' ? 200 : 503, { status: state });
    } else if (url.pathname === '/status') {
      reply(200, s.status());
    } else if (url.pathname === '/applied') {
      const topic = url.searchParams.get('topic');
      const offsets = parseOffsets(url.searchParams.get('offsets'));
      if (!topic || !offsets) {
        reply(400, { message: 'give /applied?topic=<name>&offsets=<partition>:<offset>,...' });
      } else if (topic !== s.topic) {
        reply(404, { message: `this write-back reads "${s.topic}", not "${topic}"` });
      } else {
        s.applied(topic, offsets).then(
          (behind) =>
            behind.length === 0
              ? reply(200, { applied: true })
              : reply(409, { applied: false, behind }),
          (e: Error) => reply(503, { message: e.message }),
        );
      }
    } else {
      reply(404, { message: 'GET /healthz, /status or /applied?topic=&offsets=' });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  return { server, url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}` };
}

function parseOffsets(value: string | null): Record<string, string> | null {
  if (!value) return null;
  const out: Record<string, string> = {};
  for (const pair of value.split(',').filter(Boolean)) {
    const m = /^(\d{1,9}):(\d{1,19})$/.exec(pair.trim());
    if (!m) return null;
    out[m[1]!] = m[2]!;
  }
  return out;
}
