import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { isDatabaseUnavailable, NewServiceError, notFound } from '../../errors.js';
import type { BatchAvailability, ServiceStatus } from '../../types.js';
import { availabilityReport } from '../../views.js';
import { requestIdOf } from './noise.js';
import { sendJson, type Noise } from './respond.js';
import { route } from './routes.js';
import { identifier, queryQuantity } from './validate.js';

export interface HttpDependencies {
  pool: Pool;
  /** The sku's availability read model (through the cache), undefined for an unknown sku. */
  availability(sku: string): Promise<BatchAvailability[] | undefined>;
  status(): Promise<ServiceStatus>;
  logger: Logger;
}

/**
 * The HTTP entry point on node:http: a query for availability (answered exactly as the legacy
 * monolith answers it), `/status` and `/healthz`. It only translates requests into reads.
 */
export function createHttpServer(deps: HttpDependencies): Server {
  const log = deps.logger.child({ component: 'http' });
  return createServer((req, res) => {
    const started = performance.now();
    const requestId = requestIdOf(req);
    handle(deps, req, res, requestId).then(
      () => {
        if (log.isLevelEnabled('debug')) {
          const ms = Math.round((performance.now() - started) * 100) / 100;
          log.debug({ method: req.method, url: req.url, status: res.statusCode, ms, requestId });
        }
      },
      (err: unknown) => {
        log.error({ err, method: req.method, url: req.url, requestId }, 'response failed');
        if (!res.headersSent) res.writeHead(500);
        res.end();
      },
    );
  });
}

async function handle(
  deps: HttpDependencies,
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
): Promise<void> {
  const method = req.method ?? 'GET';
  const head = method === 'HEAD';
  let operational = false;
  try {
    const target = route(method, req.url ?? '/');
    switch (target.name) {
      case 'availability': {
        const sku = identifier(target.sku, 'sku');
        const qty = queryQuantity(target.qty, 'qty', 1);
        const batches = await deps.availability(sku);
        if (!batches) throw notFound(`Invalid sku ${sku}`);
        const noise = now(requestId);
        const report = availabilityReport(sku, qty, batches, noise.generatedAt.slice(0, 10));
        sendJson(res, 200, report, noise, { noiseInBody: true, head });
        return;
      }
      case 'healthz':
        operational = true;
        await deps.pool.query('SELECT 1');
        sendJson(res, 200, { status: 'ok' }, now(requestId), { noiseInBody: false, head });
        return;
      case 'status': {
        operational = true;
        const status = await deps.status();
        const code = status.error === undefined ? 200 : 503;
        sendJson(res, code, status, now(requestId), { noiseInBody: false, head });
        return;
      }
      case 'options': {
        const noise = now(requestId);
        res.writeHead(200, {
          'x-request-id': noise.requestId,
          'x-generated-at': noise.generatedAt,
          allow: target.allow,
          'content-length': Buffer.byteLength(target.allow),
          'content-type': 'text/plain',
          'x-content-type-options': 'nosniff',
        });
        res.end(target.allow);
        return;
      }
      default: {
        const unhandled: never = target;
        throw new Error(`unhandled route ${JSON.stringify(unhandled)}`);
      }
    }
  } catch (err) {
    const { status, message } = classify(err);
    if (status === 503) deps.logger.warn({ err, method, url: req.url, requestId }, message);
    else if (status >= 500) deps.logger.error({ err, method, url: req.url, requestId }, message);
    sendJson(res, status, { message }, now(requestId), { noiseInBody: !operational, head });
  }
}

function now(requestId: string): Noise {
  return { requestId, generatedAt: new Date().toISOString() };
}

function classify(err: unknown): { status: number; message: string } {
  if (err instanceof NewServiceError) return err;
  if (isDatabaseUnavailable(err)) return { status: 503, message: 'Database unavailable' };
  return { status: 500, message: 'Internal server error' };
}
