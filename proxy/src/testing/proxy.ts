import type { Logger } from 'pino';
import { startProxy } from '../server/start-proxy.js';
import type { ProxyConfigInput, StartedProxy, StartProxyOptions } from '../types.js';
import { ADMIN_TOKEN, silentLogger } from './support.js';

/** startProxy on free loopback ports with the test token and a silent logger. */
export function proxyFor(
  config: ProxyConfigInput | { file: string },
  options: Partial<StartProxyOptions> & { logger?: Logger } = {},
): Promise<StartedProxy> {
  return startProxy({
    ...('file' in config ? { configFile: config.file as string } : { config }),
    port: 0,
    host: '127.0.0.1',
    adminPort: 0,
    adminHost: '127.0.0.1',
    adminToken: ADMIN_TOKEN,
    logger: options.logger ?? silentLogger(),
    ...options,
  });
}
