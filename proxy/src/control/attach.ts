import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { stringify } from 'yaml';
import { ProxyError } from '../errors.js';
import type { ProxyRuntime } from '../runtime/runtime.js';
import { AuditLog } from '../switching/audit.js';
import { writerChanges } from '../switching/write-switch.js';
import type { AuditEntry, SwitchGuard } from '../types.js';
import { stageKey } from '../shadow/gates/runner.js';
import { gatedTargets, type GatedTarget } from '../shadow/gates/targets.js';
import type { ShadowService } from '../shadow/service.js';
import type { WindowFigures } from '../shadow/window.js';
import { mergeFigures } from './fleet-figures.js';
import { ControlFollower, fromControl } from './follower.js';

type StageFigures = WindowFigures & { since: number };
import { ControlStore, unreachable, type ReplicaRow } from './store.js';

/** A replica not seen for this long no longer counts as part of the fleet. */
export const REPLICA_TIMEOUT_MS = 5000;

/** The audit log of the fleet: entries are written with each published version. */
class ControlAuditLog extends AuditLog {
  constructor(private readonly store: ControlStore) {
    super(undefined);
  }
  override append(): Promise<void> {
    // Entries go into the control plane in the transaction that publishes their change.
    return Promise.resolve();
  }
  override recent(limit = 100): Promise<AuditEntry[]> {
    return this.store.audit(limit);
  }
}

export interface AttachedControl {
  store: ControlStore;
  follower: ControlFollower;
  audit: AuditLog;
  /** Refuses a write group's move while other replicas share the table (see the README). */
  guard: SwitchGuard;
  replicas(): Promise<ReplicaRow[]>;
  close(): Promise<void>;
}

/**
 * Makes the control plane at `url` the source of the route table: the first replica imports the
 * table it started with (the route file) as version 1; every replica then serves the newest
 * version and publishes its switches there.
 */
export async function attachControl(
  url: string,
  runtime: ProxyRuntime,
  logger: Logger,
  info: () => Record<string, unknown>,
  replicaId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
): Promise<AttachedControl> {
  const store = new ControlStore(url);
  try {
    await store.migrate();
    let latest = await store.latest();
    if (!latest) {
      const text = runtime.table.loaded.text ?? stringify(runtime.table.loaded.input ?? {});
      try {
        await store.publish(text, 0);
        logger.info(
          { controlPlane: store.description, file: runtime.file },
          'control plane was empty: imported this route table as version 1',
        );
      } catch (err) {
        // Another replica imported first: take its table.
        if ((err as { code?: string }).code !== 'control_conflict') throw err;
      }
      latest = await store.latest();
    }
    if (latest) {
      runtime.apply(
        fromControl(latest.text, latest.version, runtime),
        `control plane version ${latest.version}`,
      );
    }
  } catch (err) {
    await store.close().catch(() => undefined);
    // A config error (a stored table invalid here) says so; anything else is the database.
    throw err instanceof ProxyError ? err : unreachable(store.description, err as Error);
  }
  const follower = new ControlFollower(store, runtime, logger, replicaId, info);
  runtime.control = {
    publish: (text, expected, entry) => store.publish(text, expected, entry),
    sync: () => follower.sync(),
  };
  await follower.start();
  logger.info(
    {
      controlPlane: store.description,
      replica: replicaId,
      version: follower.state.version,
      file: runtime.file,
    },
    'route table from the control plane (the route file is not read again)',
  );
  const replicas = () => store.replicas(REPLICA_TIMEOUT_MS);
  // Conservative: a replica that stalled (its heartbeat late, not gone) still counts.
  const GUARD_WINDOW_MS = 60_000;
  const guard: SwitchGuard = async (request, context) => {
    const group = context.kind === 'group' ? runtime.table.groups.get(request.target) : undefined;
    if (!group || !writerChanges(group, context.from.mode, request.mode)) return undefined;
    const others = (await store.replicas(GUARD_WINDOW_MS)).filter((r) => r.id !== replicaId);
    if (others.length === 0) return undefined;
    return `write group "${group.id}" moves behind a barrier this replica alone can hold, and ${others.length} other replica(s) share the route table (${others.map((r) => r.id).join(', ')}); move it while one replica runs`;
  };
  return {
    store,
    follower,
    audit: new ControlAuditLog(store),
    guard,
    replicas,
    async close() {
      await follower.close();
      await store.close();
    },
  };
}

/**
 * The gates' figures for the fleet: this replica's own (fresh) and every other replica's last
 * upload at the same stage (within 5 s), added up. Also starts each replica uploading its own.
 */
export function fleetFigures(
  control: AttachedControl,
  shadow: ShadowService,
): (target: GatedTarget, local: StageFigures) => Promise<StageFigures> {
  const { follower, store } = control;
  follower.localFigures = () =>
    gatedTargets(shadow.runtimeTable()).flatMap((t) => {
      // Uploaded every second: a route's come from the reports' cache (recomputed at most once a
      // second under traffic), not a fresh walk of its 20,000-sample window each time.
      const figures =
        t.kind === 'route'
          ? shadow.cachedFigures(t.id, t.gates.window)
          : shadow.groupFigures(t.routes, t.gates.window);
      return figures ? [{ target: t.id, stage: stageKey(t.state), figures }] : [];
    });
  return async (target, local) => {
    const rows = await store.figures(target.id, stageKey(target.state), REPLICA_TIMEOUT_MS);
    return mergeFigures([
      { replica: follower.replicaId, figures: local },
      ...rows.filter((r) => r.replica !== follower.replicaId),
    ]);
  };
}
