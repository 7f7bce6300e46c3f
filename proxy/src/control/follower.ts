import pg from 'pg';
import type { Logger } from 'pino';
import { parseConfigText, type LoadedConfig } from '../config/load.js';
import type { ProxyRuntime } from '../runtime/runtime.js';
import type { ReplicaFigures } from './fleet-figures.js';
import { CHANNEL, type ControlStore } from './store.js';

/** What `/healthz`, `/fleet` and the metrics say about the control plane. */
export interface ControlState {
  ok: boolean;
  /** Version of the table this replica serves. */
  version: number;
  /** Newest version seen in the control plane. */
  latest: number;
  /** Since when `ok` has been what it is. */
  since: string;
  lastContactAt?: string;
  error?: string;
  /** True while this replica runs the gates for the fleet. */
  leader: boolean;
  /** A version published elsewhere that this replica could not apply (it serves `version`). */
  refused?: { version: number; error: string };
}

const GATE_LOCK = 0x5354_5252;

/** A loaded table that came from the control plane, at this version. */
export function fromControl(text: string, version: number, runtime: ProxyRuntime): LoadedConfig {
  return { ...parseConfigText(text, undefined, runtime.loadOptions), control: { version } };
}

/**
 * Keeps this replica on the control plane's newest table: a LISTEN connection hears each new
 * version at once, and a check every `pollMs` catches what a lost notification or connection
 * missed. The same tick writes the replica's heartbeat and tries for the gates' leadership (a
 * session advisory lock on the LISTEN connection: it ends with the connection, so a replica that
 * dies or loses the database hands it on). When the database cannot be reached the replica keeps
 * serving its last table and says so.
 */
export class ControlFollower {
  private listener: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private busy = false;
  private readonly startedAt = new Date();
  readonly state: ControlState;
  /** This replica's gate figures, uploaded with each heartbeat for the leader to add up. */
  localFigures:
    (() => { target: string; stage: string; figures: ReplicaFigures['figures'] }[]) | undefined;

  constructor(
    private readonly store: ControlStore,
    private readonly runtime: ProxyRuntime,
    private readonly logger: Logger,
    readonly replicaId: string,
    private readonly info: () => Record<string, unknown>,
    private readonly pollMs = 1000,
  ) {
    this.state = {
      ok: true,
      version: runtime.table.loaded.control?.version ?? 0,
      latest: runtime.table.loaded.control?.version ?? 0,
      since: new Date().toISOString(),
      leader: false,
    };
    // Whatever swapped the table (this replica's own switch, a notification, the check).
    runtime.onSwap((table) => {
      if (table.loaded.control) this.state.version = table.loaded.control.version;
      this.state.latest = Math.max(this.state.latest, this.state.version);
    });
  }

  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.pollMs);
    this.timer.unref();
  }

  /** Applies the newest version if this replica is behind (also what a notification does). */
  sync(): Promise<void> {
    return this.runtime.exclusive(async () => {
      const latest = await this.store.latest();
      const current = this.runtime.table.loaded.control?.version ?? 0;
      if (!latest || latest.version <= current || latest.version === this.state.refused?.version)
        return;
      this.state.latest = Math.max(this.state.latest, latest.version);
      try {
        this.runtime.apply(
          fromControl(latest.text, latest.version, this.runtime),
          `control plane version ${latest.version}`,
        );
        delete this.state.refused;
      } catch (err) {
        // Valid where it was published, invalid here (a variable this replica lacks): the
        // running table stays, the reload status and /healthz say why, and this version is not
        // fetched again (a newer one is).
        this.runtime.refuse(err, `control plane version ${latest.version}`);
        this.state.refused = { version: latest.version, error: (err as Error).message };
        this.logger.error(
          { version: latest.version, serving: current, err: { message: (err as Error).message } },
          'cannot apply the control plane table on this replica; serving the previous one',
        );
      }
    });
  }

  private async tick(): Promise<void> {
    if (this.busy || this.closed) return;
    this.busy = true;
    try {
      await this.listen();
      const latest = await this.store.latestVersion();
      const current = this.runtime.table.loaded.control?.version ?? 0;
      this.state.latest = latest;
      if (latest < current) {
        // The database lost commits (a restore, a failover to a lagging copy): never follow it
        // back silently.
        throw new Error(
          `the control plane went back to version ${latest} while this replica serves ${current}; check the database`,
        );
      }
      if (latest > current) await this.sync();
      if (this.closed) return;
      await this.store.heartbeat(this.replicaId, this.startedAt, this.state.version, this.info());
      if (this.localFigures) await this.store.putFigures(this.replicaId, this.localFigures());
      await this.lead();
      this.contact(undefined);
    } catch (err) {
      this.contact(err as Error);
    } finally {
      this.busy = false;
    }
  }

  /** Runs a query on the LISTEN connection; any failure drops it (and the leadership it holds). */
  private async onListener<T>(fn: (client: pg.Client) => Promise<T>): Promise<T | undefined> {
    const client = this.listener;
    if (!client) return undefined;
    try {
      return await fn(client);
    } catch (err) {
      this.drop(client);
      throw err;
    }
  }

  private async listen(): Promise<void> {
    if (this.listener) return;
    const client = new pg.Client({
      connectionString: this.store.url,
      connectionTimeoutMillis: 5000,
      // A database that goes silent (failover, a dropped flow) must not hold a replica forever.
      keepAlive: true,
      query_timeout: 10_000,
    });
    client.on('error', () => this.drop(client));
    client.on('end', () => this.drop(client));
    client.on(
      'notification',
      () =>
        void this.sync().catch((err: Error) => {
          // The next tick tries again; the LISTEN connection itself is fine.
          this.logger.warn({ err: { message: err.message } }, 'applying a notified version failed');
        }),
    );
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
  }

  private drop(client: pg.Client): void {
    if (this.listener !== client) return;
    this.listener = undefined;
    if (this.state.leader) this.logger.warn('gates leadership lost with the control connection');
    this.state.leader = false;
    void client.end().catch(() => undefined);
  }

  private async lead(): Promise<void> {
    if (this.state.leader) {
      // Still holding the lock only while the connection that holds it answers.
      await this.onListener((c) => c.query('SELECT 1'));
      return;
    }
    const rows = await this.onListener(
      async (c) =>
        (await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [GATE_LOCK])).rows,
    );
    if (rows?.[0]?.ok) {
      this.state.leader = true;
      this.logger.info({ replica: this.replicaId }, 'this replica now runs the gates');
    }
  }

  private contact(err: Error | undefined): void {
    const ok = err === undefined;
    const now = new Date().toISOString();
    if (ok) this.state.lastContactAt = now;
    if (ok !== this.state.ok) {
      this.state.ok = ok;
      this.state.since = now;
      if (ok) {
        delete this.state.error;
        this.logger.info('control plane reachable again');
      } else {
        this.logger.error(
          { err: { message: err.message } },
          'control plane unreachable; serving the last route table',
        );
      }
    }
    if (err) this.state.error = err.message;
    this.runtime.metrics.controlPlaneUp.set(ok ? 1 : 0);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.store.leave(this.replicaId).catch(() => undefined);
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
  }
}
