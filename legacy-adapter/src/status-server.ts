import { createServer, type Server } from 'node:http';
import type { AdapterStatus } from './types.js';

/**
 * `GET /healthz` (200 while snapshotting or streaming, 503 otherwise) and `GET /status` (the
 * counters as JSON), for container health checks and operators. The adapter has no other port.
 */
export function startStatusServer(
  port: number,
  host: string,
  status: () => AdapterStatus,
): Promise<Server> {
  const server = createServer((req, res) => {
    const s = status();
    const healthy = s.phase === 'streaming' || s.phase === 'snapshot';
    const [code, body] =
      req.url === '/healthz'
        ? [healthy ? 200 : 503, { status: healthy ? 'ok' : s.phase }]
        : req.url === '/status'
          ? [200, s]
          : [404, { message: 'GET /healthz or /status' }];
    res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
