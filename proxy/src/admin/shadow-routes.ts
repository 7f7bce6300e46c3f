import { actorOf, adminCaller } from '../switching/actor.js';
import type { Express, Request, Response } from 'express';
import { ProxyError } from '../errors.js';
import type { IgnoreRuleAcceptor } from '../shadow/accept-rule.js';
import type { GateRunner } from '../shadow/gates/runner.js';
import type { ShadowService } from '../shadow/service.js';
import { SKIP_REASONS } from '../shadow/skip-reasons.js';

const limitOf = (req: Request, fallback: number, max: number) =>
  Math.min(Math.max(Number(req.query.limit ?? fallback) || fallback, 1), max);

function known(shadow: ShadowService, id: string): void {
  if (!shadow.routeIds().includes(id)) throw new ProxyError('unknown_target', `no route "${id}"`);
}

/** The shadow and gate endpoints of the admin API (behind the bearer token). */
export function mountShadowRoutes(
  app: Express,
  shadow: ShadowService,
  gates: GateRunner,
  rules: IgnoreRuleAcceptor,
): void {
  app.get('/shadow', (_req: Request, res: Response) => {
    res.json({
      routes: shadow.routeIds().flatMap((id) => shadow.report(id) ?? []),
      queue: shadow.queueView(),
      store: shadow.store?.description ?? null,
      skipReasons: SKIP_REASONS,
    });
  });
  app.get('/shadow/:id', (req: Request, res: Response) => {
    const id = String(req.params.id);
    known(shadow, id);
    res.json(shadow.report(id));
  });
  app.get('/shadow/:id/mismatches', (req: Request, res: Response) => {
    const id = String(req.params.id);
    known(shadow, id);
    res.json({ route: id, mismatches: shadow.mismatches(id, limitOf(req, 20, 1000)) });
  });
  app.get('/shadow/:id/mismatch-groups', (req: Request, res: Response) => {
    const id = String(req.params.id);
    known(shadow, id);
    res.json({ route: id, ...shadow.mismatchGroups(id, limitOf(req, 50, 200)) });
  });
  app.get('/shadow/:id/timeline', (req: Request, res: Response) => {
    const id = String(req.params.id);
    known(shadow, id);
    res.json({ route: id, intervalMs: 10_000, points: shadow.timeline(id) });
  });
  app.get('/shadow/:id/noise', (req: Request, res: Response) => {
    const id = String(req.params.id);
    known(shadow, id);
    res.json({ route: id, ...shadow.noise(id) });
  });
  // Accepts a rule (a learned-noise suggestion, or any other) into the route's shadow.ignore.
  app.post('/shadow/:id/ignore-rules', async (req: Request, res: Response) => {
    const id = String(req.params.id);
    known(shadow, id);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const text = (k: string) => (typeof body[k] === 'string' ? body[k] : undefined);
    const source = text('source') ?? 'admin-api';
    const actor = actorOf(
      text('actor') ?? req.get('x-strangler-actor'),
      adminCaller(source, req.socket.remoteAddress),
    );
    const expires = text('expires');
    const result = await rules.accept({
      route: id,
      rule: text('rule') as string,
      owner: text('owner') as string,
      reason: text('reason') as string,
      ...(expires ? { expires } : {}),
      actor,
      source,
    });
    res.status(result.changed ? 201 : 200).json(result);
  });
  const gatedId = (id: string) =>
    gates.list().some((t) => t.id === id && t.kind === 'group') ? { group: id } : { route: id };
  app.get('/gates', (_req: Request, res: Response) => {
    const all = gates.list();
    res.json({
      routes: all.flatMap((t) => (t.kind === 'route' ? [{ route: t.id, ...t.state }] : [])),
      groups: all.flatMap((t) => (t.kind === 'group' ? [{ group: t.id, ...t.state }] : [])),
    });
  });
  app.post('/gates/:id/evaluate', async (req: Request, res: Response) => {
    const id = String(req.params.id);
    const state = await gates.evaluate(id);
    if (!state) throw new ProxyError('unknown_target', `no route or group "${id}" has gates`);
    res.json({ ...gatedId(id), ...state });
  });
  app.post('/gates/:id/resume', (req: Request, res: Response) => {
    const id = String(req.params.id);
    if (!gates.resume(id))
      throw new ProxyError('unknown_target', `no route or group "${id}" has gates`);
    res.json({ ...gatedId(id), ...shadow.gateState(id) });
  });
}
