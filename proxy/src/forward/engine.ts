import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decide, type Decision } from '../routing/decide.js';
import { matchPath } from '../routing/pattern.js';
import type { Exchange, ExchangeHook } from '../types.js';
import { BodyCapture } from './capture.js';
import { Forward, type EngineDeps } from './forward.js';
import { clientAddress, scanRequestHeaders, upstreamHeaders } from './headers.js';
import type { Observation } from './observe.js';

export type { EngineDeps } from './forward.js';

/** The standalone proxy's request handler. */
export function createEngine(
  deps: EngineDeps,
): (req: IncomingMessage, res: ServerResponse) => void {
  return function handle(req, res) {
    const started = performance.now();
    const table = deps.runtime.table;
    const url = req.url ?? '/';
    const path = matchPath(url);
    const scan = scanRequestHeaders(req.rawHeaders, table.settings);
    const decision = decide(table, req, path, scan.override);
    let ended: (() => void) | undefined;
    const group = decision.route?.group;
    if (group !== undefined && !SAFE.has(req.method ?? 'GET')) {
      const writes = table.groups.get(group)?.writes;
      if (writes) {
        if (deps.barriers.holding(group)) {
          holdWrite(deps, handle, req, res, group, writes.hold);
          return;
        }
        ended = deps.barriers.enter(group);
      }
    }
    if (decision.override) {
      deps.runtime.metrics.overrides
        .labels(decision.override.ok ? 'accepted' : decision.override.reason)
        .inc();
    }
    const generated = scan.requestId === undefined ? randomUUID() : undefined;
    const requestId = scan.requestId ?? (generated as string);
    const upstream = decision.target.upstream;
    const headers = upstreamHeaders(scan, {
      settings: table.settings,
      upstream,
      clientIp: clientAddress(req.socket.remoteAddress),
      proto: (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http',
      ...(generated ? { generatedRequestId: generated } : {}),
    });
    const withBody = scan.hasBody;
    let forwardPath = url.charCodeAt(0) === 47 ? url : toOriginForm(url);
    if (upstream.basePath) forwardPath = upstream.basePath + forwardPath;
    const hook = deps.hook();
    const observation = hook
      ? selectExchange(hook, decision, req, url, requestId, withBody, started)
      : undefined;
    const forward = new Forward(
      deps,
      table,
      req,
      res,
      decision,
      headers,
      requestId,
      forwardPath,
      withBody,
      started,
      observation,
      ended,
    );
    res.once('close', () => forward.clientClosed());
    forward.declaredLength = scan.contentLength;
    forward.start();
  };
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A write to a group that is moving between legacy and new: it waits for the move (then is
 * decided again, on the new table) or, past the group's hold, is answered 503 with Retry-After.
 * Its body waits unread meanwhile.
 */
function holdWrite(
  deps: EngineDeps,
  handle: (req: IncomingMessage, res: ServerResponse) => void,
  req: IncomingMessage,
  res: ServerResponse,
  group: string,
  holdMs: number,
): void {
  deps.runtime.metrics.writesHeld.labels(group).inc();
  void deps.barriers.wait(group, holdMs).then((outcome) => {
    if (res.destroyed || res.writableEnded) {
      deps.settled();
      return;
    }
    if (outcome === 'go') {
      handle(req, res);
      return;
    }
    deps.runtime.metrics.writesRefused.labels(group).inc();
    const body = JSON.stringify({
      error: 'write_held',
      message: `writes to group "${group}" are held while it moves between legacy and new; retry shortly`,
      group,
    });
    res.writeHead(503, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
      'retry-after': '1',
      ...(deps.draining() ? { connection: 'close' } : {}),
    });
    res.end(body);
    deps.settled();
  });
}

function toOriginForm(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.pathname + parsed.search;
  } catch {
    return '/';
  }
}

/** Route facts handed to hooks, built once per compiled route (tables are immutable). */
const routeInfos = new WeakMap<NonNullable<Decision['route']>, NonNullable<Exchange['route']>>();

function routeInfo(route: NonNullable<Decision['route']>): NonNullable<Exchange['route']> {
  let info = routeInfos.get(route);
  if (!info) {
    info = Object.freeze({
      id: route.id,
      ...(route.group ? { group: route.group } : {}),
      mode: route.mode,
      ...(route.percent === undefined ? {} : { percent: route.percent }),
    });
    routeInfos.set(route, info);
  }
  return info;
}

/**
 * What `select` sees. `headers` is lazy: Node builds `req.headers` from the raw list on first
 * access, which costs more than the rest of the selection, so a hook that does not read it does
 * not pay for it. A class keeps every instance on one shape.
 */
class SelectRequest {
  constructor(
    readonly route: Exchange['route'],
    readonly servedBy: Decision['role'],
    readonly method: string,
    readonly url: string,
    private readonly req: IncomingMessage,
  ) {}

  get headers(): IncomingMessage['headers'] {
    return this.req.headers;
  }
}

function selectExchange(
  hook: ExchangeHook,
  decision: Decision,
  req: IncomingMessage,
  url: string,
  requestId: string,
  withBody: boolean,
  started: number,
): Observation | undefined {
  const route = decision.route ? routeInfo(decision.route) : undefined;
  let selected: ReturnType<ExchangeHook['select']>;
  try {
    selected = hook.select(new SelectRequest(route, decision.role, req.method ?? 'GET', url, req));
  } catch {
    return undefined;
  }
  if (!selected) return undefined;
  const capture = new BodyCapture(selected.requestBodyBytes);
  if (withBody) capture.observe(req);
  else capture.complete = true;
  return {
    hook,
    decision,
    req,
    url,
    requestId,
    route,
    requestCapture: capture,
    responseBodyBytes: selected.responseBodyBytes,
    ...(selected.context === undefined ? {} : { context: selected.context }),
    started: Date.now() - (performance.now() - started),
  };
}
