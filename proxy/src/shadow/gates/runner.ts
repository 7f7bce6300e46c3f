import type { Logger } from 'pino';
import type { ProxyRuntime } from '../../runtime/runtime.js';
import type { RouteSwitcher } from '../../switching/switcher.js';
import type { GateState, ModeState } from '../../types.js';
import type { ShadowService } from '../service.js';
import { evaluateGates } from './evaluate.js';
import { gatedTarget, gatedTargets, type GatedTarget } from './targets.js';
import type { WindowFigures } from '../window.js';

type StageFigures = WindowFigures & { since: number };

interface TargetGate {
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
 * Evaluates each gated route or group on its interval and switches it through the RouteSwitcher (so the
 * switch is checked by the guards, written back to the file and audited, with its figures). A
 * switch the gates did not make (admin API, CLI, file edit) pauses them for `cooldown`.
 */
export class GateRunner {
  private readonly targets = new Map<string, TargetGate>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly runtime: ProxyRuntime,
    private readonly shadow: ShadowService,
    private readonly switcher: RouteSwitcher,
    private readonly logger: Logger,
    /**
     * `leader`: false while another replica runs the gates for the fleet (control plane);
     * `fleetFigures`: the fleet's figures from this replica's (control plane).
     */
    private readonly options: {
      leader?: () => boolean;
      fleetFigures?: (target: GatedTarget, local: StageFigures) => Promise<StageFigures>;
      tickMs?: number;
    } = {},
  ) {
    const tickMs = options.tickMs ?? 250;
    shadow.gateState = (id) => this.targets.get(id)?.view;
    this.sync();
    runtime.onSwap(() => this.sync());
    this.timer = setInterval(() => this.tick(), tickMs);
    this.timer.unref();
  }

  private sync(now = Date.now()): void {
    const targets = gatedTargets(this.runtime.table);
    const ids = new Set(targets.map((t) => t.id));
    for (const id of this.targets.keys()) if (!ids.has(id)) this.targets.delete(id);
    for (const target of targets) {
      const current = key(target.state);
      const g = this.targets.get(target.id);
      if (!g) {
        this.targets.set(target.id, {
          lastSeen: current,
          pausedUntil: 0,
          lastEvaluated: 0,
          busy: false,
          view: { enabled: target.gates.enabled },
        });
        continue;
      }
      g.view.enabled = target.gates.enabled;
      if (current === g.lastSeen) continue;
      // A replica that does not run the gates only follows: when it takes over, the pause it
      // keeps is for switches made while it led, not for its predecessor's own promotions.
      if (this.options.leader && !this.options.leader()) {
        g.lastSeen = current;
        g.expected = undefined;
        continue;
      }
      if (g.expected !== current) {
        g.pausedUntil = now + target.gates.cooldown;
        g.view.pausedUntil = new Date(g.pausedUntil).toISOString();
        g.view.lastDecision = 'paused';
        const label = current.startsWith('canary:') ? `${current.replace(':', ' ')}%` : current;
        g.view.lastReason = `switched by hand to ${label}; gates wait until ${g.view.pausedUntil}`;
        this.logger.info(
          { [target.kind]: target.id, until: g.view.pausedUntil },
          'gates paused after a manual switch',
        );
      }
      g.expected = undefined;
      g.lastSeen = current;
    }
  }

  private tick(): void {
    if (this.options.leader && !this.options.leader()) return;
    const now = Date.now();
    for (const [id, g] of this.targets) {
      const target = gatedTarget(this.runtime.table, id);
      if (!target || g.busy || now - g.lastEvaluated < target.gates.interval) continue;
      this.evaluate(id, now).catch((err: unknown) =>
        this.logger.error({ err, [target.kind]: id }, 'gate evaluation failed'),
      );
    }
  }

  /** The routes and groups with gates, with what their gates last decided. */
  list(): { id: string; kind: 'route' | 'group'; state: GateState }[] {
    return [...this.targets].flatMap(([id, g]) => {
      const target = gatedTarget(this.runtime.table, id);
      return target ? [{ id, kind: target.kind, state: g.view }] : [];
    });
  }

  /** Lifts a manual-switch pause. */
  resume(id: string): boolean {
    const g = this.targets.get(id);
    if (!g) return false;
    g.pausedUntil = 0;
    delete g.view.pausedUntil;
    return true;
  }

  /** Evaluates one route or group now (also what the timer does). */
  async evaluate(id: string, now = Date.now()): Promise<GateState | undefined> {
    const g = this.targets.get(id);
    const target = gatedTarget(this.runtime.table, id);
    if (!g || !target || g.busy || this.stopped) return g?.view;
    const { gates, state } = target;
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
      let figures =
        target.kind === 'route'
          ? this.shadow.figures(id, gates.window, now)
          : this.shadow.groupFigures(target.routes, gates.window, now);
      if (!figures) return g.view;
      if (this.options.fleetFigures) {
        try {
          figures = await this.options.fleetFigures(target, figures);
        } catch (err) {
          // Without the fleet's figures nothing is decided: the gates hold until they are back.
          Object.assign(g.view, {
            lastDecision: 'hold',
            lastReason: `the fleet's figures are unavailable: ${(err as Error).message}`,
          });
          return g.view;
        }
      }
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
          {
            [target.kind]: id,
            action: decision.action,
            to: decision.to,
            figures: decision.figures,
          },
          `gate ${decision.action}`,
        );
      } catch (err) {
        g.expected = undefined;
        g.view.lastReason = `${decision.action} refused: ${(err as Error).message}`;
        this.logger.error(
          { err, [target.kind]: id, action: decision.action },
          'gate switch failed',
        );
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
