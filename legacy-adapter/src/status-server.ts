import { createServer, type Server } from 'node:http';
import type { AdapterStatus, BarrierPosition } from './types.js';

/**
 * `GET /healthz` (200 while snapshotting or streaming, 503 otherwise), `GET /status` (the
 * counters as JSON) and `POST /barrier` (the proxy's write barrier: 200 `{ topic, offsets }` once
 * everything committed so far is in Kafka, 503 `{ message }` if not in time), for container health
 * checks, operators and the proxy. The adapter has no other port.
 */
export function startStatusServer(
  port: number,
  host: string,
  status: () => AdapterStatus,
  barrier?: () => Promise<BarrierPosition>,
): Promise<Server> {
  const server = createServer((req, res) => {
    const reply = (code: number, body: unknown) =>
      res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.method === 'POST' && req.url === '/barrier' && barrier) {
      barrier().then(
        (position) => reply(200, position),
        (e: Error) => reply(503, { message: e.message }),
      );
      return;
    }
    const s = status();
    const healthy = s.phase === 'streaming' || s.phase === 'snapshot';
    const [code, body] =
      req.url === '/healthz'
        ? [healthy ? 200 : 503, { status: healthy ? 'ok' : s.phase }]
        : req.url === '/status'
          ? [200, s]
          : [404, { message: 'GET /healthz or /status, POST /barrier' }];
    reply(code, body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
