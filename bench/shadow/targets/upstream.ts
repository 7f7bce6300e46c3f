// An upstream for the shadow bench: the proxy bench's 1,035-byte JSON answer, optionally after
// DELAY_MS (the slow candidate).
import { createServer } from 'node:http';

const port = Number(process.env.PORT);
const delay = Number(process.env.DELAY_MS ?? 0);
const items = Array.from({ length: 12 }, (_, i) => ({
  sku: `SKU-${i}`,
  qty: i * 7,
  name: `product ${i}`,
}));
const body = Buffer.from(JSON.stringify({ items }).padEnd(1035, ' ').slice(0, 1035));

const server = createServer((req, res) => {
  req.resume();
  const send = () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  };
  if (delay > 0) setTimeout(send, delay);
  else send();
});
server.keepAliveTimeout = 120_000;
server.maxRequestsPerSocket = 0;
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
