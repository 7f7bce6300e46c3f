import { createServer } from 'node:net';
import { PORTS } from './settings.js';

/** Asks the kernel for a free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A free port for every port the demo uses, keyed by its environment variable (`PROXY_PORT`,
 * `ADMIN_PORT`, ...): how tests and benches run the demo beside anything else on the machine.
 */
export async function freeDemoPorts(): Promise<Record<PortVariable, number>> {
  const out = {} as Record<PortVariable, number>;
  for (const [, variable] of Object.values(PORTS)) out[variable] = await freePort();
  return out;
}

type PortVariable = (typeof PORTS)[keyof typeof PORTS][1];
