// The upstream every setup forwards to: plain node:http answering a 1,035-byte JSON body.
import { createServer } from 'node:http';

const port = Number(process.env.PORT);
const items = Array.from({ length: 12 }, (_, i) => ({
  sku: `SKU-${i}`,
  qty: i * 7,
  name: `product ${i}`,
}));
const body = Buffer.from(JSON.stringify({ items }).padEnd(1035, ' ').slice(0, 1035));

const server = createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
});
// Long keep-alive and no per-socket request cap: reconnects would measure TCP setup, not proxying.
server.keepAliveTimeout = 120_000;
server.maxRequestsPerSocket = 0;
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
