import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { basename, dirname, resolve } from 'node:path';
import { createAdminApp } from '../admin/app.js';
import { BodyCapture } from '../forward/capture.js';
import { reportExchange } from '../forward/observe.js';
import { composeHooks } from '../shadow/compose.js';
import { GateRunner } from '../shadow/gates/runner.js';
import { IgnoreRuleAcceptor } from '../shadow/accept-rule.js';
import { shadowControl } from '../shadow/control.js';
import { ShadowService } from '../shadow/service.js';
import { storeFor } from '../shadow/store/for-config.js';
import { captureResponse, sentHeaders } from './response-capture.js';
import { decide, type Decision } from '../routing/decide.js';
import { matchPath } from '../routing/pattern.js';
import { createLogger } from '../runtime/logger.js';
import { ProxyMetrics, UNMATCHED } from '../runtime/metrics.js';
import { ProxyRuntime } from '../runtime/runtime.js';
import { AuditLog } from '../switching/audit.js';
import { RouteSwitcher } from '../switching/switcher.js';
import { WriteBarriers } from '../switching/write-barrier.js';
import { ReloadBarrier } from '../switching/write-switch.js';
import { createForwarder, DECISION, type RoutedRequest } from './forwarder.js';
import type {
  ExchangeHook,
  ProxyConfigInput,
  StranglerMiddleware,
  StranglerOptions,
} from '../types.js';
import { readinessGuard, readinessOnReload } from '../switching/readiness.js';

function optionsOf(input: string | ProxyConfigInput | StranglerOptions): StranglerOptions {
  if (typeof input === 'string') return { configFile: input };
  if ('upstreams' in input) return { config: input as ProxyConfigInput };
  return input as StranglerOptions;
}

/**
 * Express middleware running the same routing core as the standalone proxy (same config, route
 * matching, canary buckets, override header, switching, audit log), forwarding with
 * http-proxy-middleware. Mount it first, before any body parser: a parser would drain the
 * request body before it could be forwarded.
 *
 * ```ts
 * app.use(strangler('./routes.yaml'));
 * ```
 */

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
export function strangler(
  input: string | ProxyConfigInput | StranglerOptions,
): StranglerMiddleware {
  const options = optionsOf(input);
  const legacyMode = options.legacy ?? 'next';
  const logger = options.logger ?? createLogger(options.logLevel);
  const barriers = new WriteBarriers();
  const reloadBarrier = new ReloadBarrier(barriers, logger);
  const readiness = readinessOnReload();
  const metrics = new ProxyMetrics(options.registry);
  const runtime = ProxyRuntime.createSync({
    ...(options.configFile ? { configFile: options.configFile } : {}),
    ...(options.config ? { config: options.config } : {}),
    env: options.env ?? process.env,
    embedded: legacyMode === 'next',
    logger,
    metrics,
    ...(options.watch === undefined ? {} : { watch: options.watch }),
    beforeReload: async (previous, next) => {
      await readiness(previous, next);
      await reloadBarrier.check(previous, next);
    },
  });
  runtime.onSwap(() => reloadBarrier.swapped());
  const file = runtime.file;
  const auditFile = options.auditLog
    ? resolve(options.auditLog)
    : file
      ? resolve(
          dirname(file),
          runtime.table.loaded.config.admin?.auditLog ?? `${basename(file)}.audit.jsonl`,
        )
      : undefined;
  const switcher = new RouteSwitcher(
    runtime,
    new AuditLog(auditFile),
    [readinessGuard(() => runtime.table, logger), ...(options.switchGuards ?? [])],
    barriers,
  );
  let hook: ExchangeHook | undefined = options.exchangeHook;
  const store = options.shadowStore ?? storeFor(runtime.table.loaded.config, file);
  const shadow = new ShadowService({
    runtime,
    registry: metrics.registry,
    logger,
    ...(store ? { store } : {}),
  });
  const gates = new GateRunner(runtime, shadow, switcher, logger);
  const rules = new IgnoreRuleAcceptor(runtime, switcher.audit);
  const combined = composeHooks(shadow, () => hook);

  const proxy = createForwarder(runtime, metrics, logger);

  /** Routes a request and stamps it with the decision; shared by requests and upgrades. */
  function route(req: RoutedRequest): Decision {
    const table = runtime.table;
    const settings = table.settings;
    const url = req.originalUrl ?? req.url ?? '/';
    const overrideValue = req.headers[settings.overrideHeader];
    const decision = decide(
      table,
      req,
      matchPath(url),
      typeof overrideValue === 'string' ? overrideValue : undefined,
    );
    if (decision.override)
      metrics.overrides.labels(decision.override.ok ? 'accepted' : decision.override.reason).inc();
    delete req.headers[settings.overrideHeader];
    if (req.headers[settings.requestIdHeader] === undefined)
      req.headers[settings.requestIdHeader] = randomUUID();
    req[DECISION] = decision;
    return decision;
  }

  const middleware = ((req: RoutedRequest, res: ServerResponse, next: (err?: unknown) => void) => {
    const started = performance.now();
    const decision = route(req);
    // A write group's writes are counted until their response ends, and held while it moves.
    const group = decision.route?.group;
    const writes = group === undefined ? undefined : runtime.table.groups.get(group)?.writes;
    if (group !== undefined && writes && !SAFE.has(req.method ?? 'GET')) {
      if (barriers.holding(group)) {
        metrics.writesHeld.labels(group).inc();
        void barriers.wait(group, writes.hold).then((outcome) => {
          if (res.destroyed || res.writableEnded) return;
          if (outcome === 'go') return middleware(req, res, next);
          metrics.writesRefused.labels(group).inc();
          res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
          res.end(
            JSON.stringify({
              error: 'write_held',
              message: `writes to group "${group}" are held while it moves between legacy and new; retry shortly`,
              group,
            }),
          );
        });
        return;
      }
      res.once('close', barriers.enter(group));
    }
    const settings = runtime.table.settings;
    if (settings.servedByHeader !== false) res.setHeader(settings.servedByHeader, decision.role);
    const observed = observe(req, res, decision, started);
    res.once('close', () => {
      const status = res.writableFinished ? res.statusCode : 499;
      metrics.record(
        decision.route?.id ?? UNMATCHED,
        decision.target.upstream.name,
        status,
        (performance.now() - started) / 1000,
      );
      runtime.stats.record(decision.route?.id ?? UNMATCHED, decision.role, status);
      observed?.(status);
    });
    if (decision.role === 'legacy' && legacyMode === 'next') {
      if (decision.setCookie) res.appendHeader('set-cookie', decision.setCookie);
      next();
      return;
    }
    req.url = req.originalUrl ?? req.url;
    void proxy(req, res, next);
  }) as StranglerMiddleware;

  function observe(req: RoutedRequest, res: ServerResponse, decision: Decision, started: number) {
    // Routes that compare nothing pay nothing: without a user hook nothing is even selected.
    const active = hook || shadow.wanted ? combined : undefined;
    if (!active) return undefined;
    const r = decision.route;
    const routeInfo = r
      ? {
          id: r.id,
          ...(r.group ? { group: r.group } : {}),
          mode: r.mode,
          ...(r.percent === undefined ? {} : { percent: r.percent }),
        }
      : undefined;
    const url = req.originalUrl ?? req.url ?? '/';
    let selected: ReturnType<ExchangeHook['select']>;
    try {
      selected = active.select({
        ...(routeInfo ? { route: routeInfo } : {}),
        servedBy: decision.role,
        method: req.method ?? 'GET',
        url,
        headers: req.headers,
      });
    } catch {
      return undefined;
    }
    if (!selected) return undefined;
    const capture = new BodyCapture(selected.requestBodyBytes).observe(req);
    const response =
      selected.responseBodyBytes > 0 ? captureResponse(res, selected.responseBodyBytes) : undefined;
    const observation = {
      hook: active,
      decision,
      req,
      url,
      requestId: String(req.headers[runtime.table.settings.requestIdHeader]),
      route: routeInfo,
      requestCapture: capture,
      responseBodyBytes: 0,
      ...(selected.context === undefined ? {} : { context: selected.context }),
      started: Date.now(),
    };
    return (status: number) =>
      reportExchange({ runtime }, res, observation, {
        status,
        headers: sentHeaders(res),
        ...(response ? { capture: response } : {}),
        durationMs: performance.now() - started,
        ...(status === 499 ? { error: 'client_aborted' } : {}),
      });
  }

  middleware.upgrade = (req, socket, head) => {
    const decision = route(req as RoutedRequest);
    if (decision.role === 'legacy' && legacyMode === 'next') return false;
    proxy.upgrade(req as RoutedRequest, socket as Socket, head);
    return true;
  };
  middleware.registry = metrics.registry;
  middleware.adminApp = ({ token }) =>
    createAdminApp({
      runtime,
      switcher,
      shadow,
      gates,
      rules,
      token: () => token,
      metricsRequireToken: false,
    });
  middleware.reload = () => runtime.reload('api');
  middleware.switchRoute = (request) => switcher.switch({ source: 'api', ...request });
  middleware.checkSwitch = (request) => switcher.check(request);
  middleware.status = () => runtime.status();
  middleware.setExchangeHook = (h) => {
    hook = h;
  };
  middleware.addSwitchGuard = (guard) => switcher.addGuard(guard);
  middleware.shadow = shadowControl(shadow, gates, rules);
  middleware.close = async () => {
    gates.close();
    await shadow.close();
    await runtime.close();
  };
  return middleware;
}
