import type { Logger } from 'pino';
import type { ProxyRuntime } from '../../runtime/runtime.js';
import type { RouteSwitcher } from '../../switching/switcher.js';
import type { GateState, ModeState } from '../../types.js';
import type { ShadowService } from '../service.js';
import { evaluateGates } from './evaluate.js';

interface RouteGate {
  lastSeen: string;
  /** The state a switch by the gates is about to produce (so its swap is not taken as manual). */
  expected?: string;
  pausedUntil: number;
  lastEvaluated: number;
  busy: boolean;
  view: GateState;
}

/** A stage: the percent only matters in canary (a switch keeps the old percent in the file). */
export const stageKey = (s: ModeState) =>
  s.mode === 'canary' ? `canary:${s.percent ?? 0}` : s.mode;
const key = stageKey;

/**
 * Evaluates each gated route on its interval and switches it through the RouteSwitcher (so the
 * switch is checked by the guards, written back to the file and audited, with its figures). A
 * switch the gates did not make (admin API, CLI, file edit) pauses them for `cooldown`.
 */
export class GateRunner {
  private readonly routes = new Map<string, RouteGate>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly runtime: ProxyRuntime,
    private readonly shadow: ShadowService,
    private readonly switcher: RouteSwitcher,
    private readonly logger: Logger,
    private readonly tickMs = 250,
  ) {
    shadow.gateState = (route) => this.routes.get(route)?.view;
    this.sync();
    runtime.onSwap(() => this.sync());
    this.timer = setInterval(() => this.tick(), tickMs);
    this.timer.unref();
  }

  private sync(now = Date.now()): void {
    const table = this.runtime.table;
    for (const route of table.routes) {
      const gates = route.config.gates;
      const current = key({
        mode: route.mode,
        ...(route.percent === undefined ? {} : { percent: route.percent }),
      });
      let g = this.routes.get(route.id);
      if (!gates) {
        this.routes.delete(route.id);
        continue;
      }
      if (!g) {
        g = {
          lastSeen: current,
          pausedUntil: 0,
          lastEvaluated: 0,
          busy: false,
          view: { enabled: gates.enabled },
        };
        this.routes.set(route.id, g);
        continue;
      }
      g.view.enabled = gates.enabled;
      if (current !== g.lastSeen) {
        if (g.expected !== current) {
          g.pausedUntil = now + gates.cooldown;
          g.view.pausedUntil = new Date(g.pausedUntil).toISOString();
          g.view.lastDecision = 'paused';
          const label = current.startsWith('canary:') ? `${current.replace(':', ' ')}%` : current;
          g.view.lastReason = `switched by hand to ${label}; gates wait until ${g.view.pausedUntil}`;
          this.logger.info(
            { route: route.id, until: g.view.pausedUntil },
            'gates paused after a manual switch',
          );
        }
        g.expected = undefined;
        g.lastSeen = current;
      }
    }
  }

  private tick(): void {
    const now = Date.now();
    for (const [id, g] of this.routes) {
      const route = this.runtime.table.byId.get(id);
      const gates = route?.config.gates;
      if (!route || !gates || g.busy || now - g.lastEvaluated < gates.interval) continue;
      void this.evaluate(id, now);
    }
  }

  /** Lifts a manual-switch pause. */
  resume(route: string): boolean {
    const g = this.routes.get(route);
    if (!g) return false;
    g.pausedUntil = 0;
    delete g.view.pausedUntil;
    return true;
  }

  /** Evaluates one route now (also what the timer does). */
  async evaluate(id: string, now = Date.now()): Promise<GateState | undefined> {
    const g = this.routes.get(id);
    const route = this.runtime.table.byId.get(id);
    const gates = route?.config.gates;
    if (!g || !route || !gates || g.busy || this.stopped) return g?.view;
    g.busy = true;
    g.lastEvaluated = now;
    try {
      g.view.lastEvaluatedAt = new Date(now).toISOString();
      if (!gates.enabled) {
        Object.assign(g.view, { lastDecision: 'idle', lastReason: 'gates.enabled is false' });
        return g.view;
      }
      if (g.pausedUntil > now) {
        Object.assign(g.view, { lastDecision: 'paused' });
        return g.view;
      }
      delete g.view.pausedUntil;
      const state: ModeState = {
        mode: route.mode,
        ...(route.percent === undefined ? {} : { percent: route.percent }),
      };
      const figures = this.shadow.figures(id, gates.window, now);
      if (!figures) return g.view;
      const decision = evaluateGates({ state, gates, figures, stageSince: figures.since, now });
      g.view.lastDecision = decision.action;
      g.view.lastReason = decision.reason;
      g.view.figures = decision.figures;
      if (decision.action === 'hold' && decision.next) g.view.next = decision.next;
      else delete g.view.next;
      if (decision.action !== 'promote' && decision.action !== 'rollback') return g.view;
      g.expected = key(decision.to);
      try {
        await this.switcher.switch({
          target: id,
          mode: decision.to.mode,
          ...(decision.to.percent === undefined ? {} : { percent: decision.to.percent }),
          reason: decision.reason,
          actor: 'strangler-gates',
          source: 'gate',
          figures: decision.figures,
        });
        this.shadow.metrics.gateSwitches.labels(id, decision.action, decision.to.mode).inc();
        this.logger.warn(
          { route: id, action: decision.action, to: decision.to, figures: decision.figures },
          `gate ${decision.action}`,
        );
      } catch (err) {
        g.expected = undefined;
        g.view.lastReason = `${decision.action} refused: ${(err as Error).message}`;
        this.logger.error({ err, route: id, action: decision.action }, 'gate switch failed');
      }
      return g.view;
    } finally {
      g.busy = false;
    }
  }

  close(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }
}
