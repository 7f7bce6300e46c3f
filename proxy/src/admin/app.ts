import { actorOf, adminCaller } from '../switching/actor.js';
import express, { type NextFunction, type Request, type Response } from 'express';
import { configJsonSchema } from '../config/json-schema.js';
import { ProxyError, type ProxyErrorCode } from '../errors.js';
import type { ControlState } from '../control/follower.js';
import type { ReplicaRow } from '../control/store.js';
import type { ProxyRuntime } from '../runtime/runtime.js';
import type { RouteSwitcher } from '../switching/switcher.js';
import type { Mode, SwitchRequest } from '../types.js';
import { bearerAuth } from './auth.js';
import { groupViews, routeView } from './views.js';
import type { IgnoreRuleAcceptor } from '../shadow/accept-rule.js';
import type { GateRunner } from '../shadow/gates/runner.js';
import type { ShadowService } from '../shadow/service.js';
import { mountDashboard } from './dashboard.js';
import { mountShadowRoutes } from './shadow-routes.js';

export interface AdminDeps {
  runtime: ProxyRuntime;
  switcher: RouteSwitcher;
  /** Shadow comparison and gates (the standalone proxy has them; the middleware does not). */
  shadow?: ShadowService;
  gates?: GateRunner;
  rules?: IgnoreRuleAcceptor;
  /** The bearer token, looked up per request. */
  token(): string | undefined;
  metricsRequireToken: boolean;
  /** The shared control plane, when the proxy runs with one. */
  control?: { replica: string; state: ControlState; replicas(): Promise<ReplicaRow[]> };
}

const STATUS: Partial<Record<ProxyErrorCode, number>> = {
  unknown_target: 404,
  route_in_group: 400,
  invalid_switch: 400,
  invalid_rule: 400,
  switch_denied: 409,
  config_file_invalid: 409,
  config_invalid: 422,
  control_conflict: 409,
  control_unreachable: 503,
};

type Handler = (req: Request, res: Response) => Promise<void> | void;

/** Express 5 forwards rejected promises to the error handler; this keeps handlers small. */
const wrap = (fn: Handler) => (req: Request, res: Response, next: NextFunction) =>
  Promise.resolve(fn(req, res)).catch(next);

function switchBody(req: Request, target: string): SwitchRequest {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const source = typeof body.source === 'string' ? body.source : 'admin-api';
  const actor = actorOf(
    typeof body.actor === 'string' ? body.actor : req.get('x-strangler-actor'),
    adminCaller(source, req.socket.remoteAddress),
  );
  return {
    target,
    mode: body.mode as Mode,
    ...(body.percent === undefined ? {} : { percent: body.percent as number }),
    reason: body.reason as string,
    actor,
    source,
  };
}

/**
 * The admin API: routes and groups with modes and stats, switching, reload status, audit log,
 * metrics. Express is fine here; it never sits on the proxied path.
 */
export function createAdminApp(deps: AdminDeps): express.Express {
  const { runtime, switcher } = deps;
  const app = express();
  app.disable('x-powered-by');
  // Still 200 without the control plane: the replica serves its last table, and a fleet whose
  // database is down should keep serving rather than be taken out by its load balancer.
  app.get('/healthz', (_req, res) => {
    const control = deps.control?.state;
    // A replica whose last contact is old is as cut off as one whose queries fail.
    const stale =
      control?.lastContactAt !== undefined && Date.now() - Date.parse(control.lastContactAt) > 5000;
    const degraded = control !== undefined && (!control.ok || stale || control.refused);
    res.json({
      status: degraded ? 'degraded' : 'ok',
      ...(control
        ? {
            controlPlane:
              control.ok && !stale
                ? {
                    ok: true,
                    version: control.version,
                    ...(control.refused ? { refused: control.refused } : {}),
                  }
                : {
                    ok: false,
                    version: control.version,
                    since: control.since,
                    error: stale
                      ? `no answer since ${control.lastContactAt}`
                      : (control.error ?? 'unreachable'),
                  },
          }
        : {}),
    });
  });
  // The dashboard page and its script carry no data: they load without the token, and every
  // call they make to the API below sends the token the user pastes.
  mountDashboard(app);
  const auth = bearerAuth(deps.token);
  app.get(
    '/metrics',
    ...(deps.metricsRequireToken ? [auth] : []),
    wrap(async (_req, res) => {
      res.type(runtime.metrics.registry.contentType).send(await runtime.metrics.registry.metrics());
    }),
  );
  app.use(auth);
  app.use(express.json({ limit: '64kb' }));
  app.get('/routes', (_req, res) => {
    const table = runtime.table;
    res.json({
      version: table.version,
      routes: table.routes.map((r) => routeView(r, runtime.stats)),
      groups: groupViews(table),
      unmatched: {
        upstream: table.fallback.upstream.name,
        stats: runtime.stats.view('_unmatched'),
      },
    });
  });
  app.get('/routes/:id', (req, res) => {
    const route = runtime.table.byId.get(String(req.params.id));
    if (!route) throw new ProxyError('unknown_target', `no route "${String(req.params.id)}"`);
    res.json(routeView(route, runtime.stats));
  });
  app.get('/groups', (_req, res) => {
    res.json({ groups: groupViews(runtime.table) });
  });
  const known = (kind: 'route' | 'group' | undefined, id: string) => {
    const table = runtime.table;
    if (kind === 'route' && !table.byId.has(id))
      throw new ProxyError('unknown_target', `no route "${id}"`);
    if (kind === 'group' && !table.groups.has(id))
      throw new ProxyError('unknown_target', `no group "${id}"`);
  };
  const doSwitch = (kind?: 'route' | 'group') =>
    wrap(async (req, res) => {
      const id = String(
        req.params.id ?? (req.body as { target?: unknown } | undefined)?.target ?? '',
      );
      known(kind, id);
      res.json(await switcher.switch(switchBody(req, id)));
    });
  app.post('/switch', doSwitch());
  app.post('/routes/:id/switch', doSwitch('route'));
  app.post('/groups/:id/switch', doSwitch('group'));
  // The same bodies, answered with what the switch would do and whether the guards allow it now.
  const checkSwitch = (kind: 'route' | 'group') =>
    wrap(async (req, res) => {
      const id = String(req.params.id);
      known(kind, id);
      const { reason: _unused, ...request } = switchBody(req, id);
      res.json(await switcher.check(request));
    });
  app.post('/routes/:id/switch/check', checkSwitch('route'));
  app.post('/groups/:id/switch/check', checkSwitch('group'));
  // Every replica sharing the control plane: the version each serves and when it was last seen.
  app.get(
    '/fleet',
    wrap(async (_req, res) => {
      const control = deps.control;
      if (!control) {
        res.json({ controlPlane: null, replicas: [] });
        return;
      }
      res.json({
        controlPlane: { ...control.state, replica: control.replica },
        replicas: (await control.replicas()).map((r) => ({
          ...r,
          behind: r.version === null ? null : Math.max(0, control.state.latest - r.version),
        })),
      });
    }),
  );
  app.get('/reload', (_req, res) => {
    res.json(runtime.status());
  });
  app.post(
    '/reload',
    wrap(async (_req, res) => {
      const status = await runtime.reload('admin');
      res.status(status.ok ? 200 : 422).json(status);
    }),
  );
  app.get(
    '/audit',
    wrap(async (req, res) => {
      const limit = Math.min(Math.max(Number(req.query.limit ?? 100) || 100, 1), 1000);
      res.json({ file: switcher.audit.file ?? null, entries: await switcher.audit.recent(limit) });
    }),
  );
  app.get('/config/schema', (_req, res) => {
    res.json(configJsonSchema());
  });
  if (deps.shadow && deps.gates && deps.rules)
    mountShadowRoutes(app, deps.shadow, deps.gates, deps.rules);
  app.use((_req: Request, res: Response) => {
    res.status(404).json({ error: 'not_found', message: 'no such admin endpoint' });
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof ProxyError) {
      res
        .status(STATUS[err.code] ?? 500)
        .json({ error: err.code, message: err.message, issues: err.issues });
      return;
    }
    const status = (err as { status?: number }).status;
    if (status && status >= 400 && status < 500) {
      res.status(status).json({ error: 'bad_request', message: (err as Error).message });
      return;
    }
    runtime.logger.error({ err }, 'admin request failed');
    res
      .status(500)
      .json({ error: 'internal', message: 'the admin request failed; see the proxy log' });
  });
  return app;
}
