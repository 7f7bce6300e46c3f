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
      if (!latest || latest.version <= current) return;
      this.state.latest = Math.max(this.state.latest, latest.version);
      try {
        this.runtime.apply(
          fromControl(latest.text, latest.version, this.runtime),
          `control plane version ${latest.version}`,
        );
      } catch (err) {
        // Valid where it was published, invalid here (a variable this replica lacks): the
        // running table stays, and the reload status says why.
        this.runtime.refuse(err, `control plane version ${latest.version}`);
      }
    });
  }

  private async tick(): Promise<void> {
    if (this.busy || this.closed) return;
    this.busy = true;
    try {
      await this.listen();
      const latest = await this.store.latestVersion();
      this.state.latest = latest;
      if (latest > (this.runtime.table.loaded.control?.version ?? 0)) await this.sync();
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

  private async listen(): Promise<void> {
    if (this.listener) return;
    const client = new pg.Client({
      connectionString: this.store.url,
      connectionTimeoutMillis: 5000,
    });
    client.on('error', () => this.drop(client));
    client.on('end', () => this.drop(client));
    client.on('notification', () => void this.sync().catch((err: Error) => this.contact(err)));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
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
    if (this.state.leader || !this.listener) return;
    const { rows } = await this.listener.query<{ ok: boolean }>(
      'SELECT pg_try_advisory_lock($1) AS ok',
      [GATE_LOCK],
    );
    if (rows[0]?.ok) {
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
    if (err) {
      this.state.error = err.message;
      if (this.listener) this.drop(this.listener);
    }
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
