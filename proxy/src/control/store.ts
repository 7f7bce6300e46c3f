import pg from 'pg';
import { ProxyError } from '../errors.js';
import { describeUrl } from '../shadow/store/postgres.js';
import type { AuditEntry } from '../types.js';
import type { ReplicaFigures } from './fleet-figures.js';

/** One version of the route table in the control plane. */
export interface StoredTable {
  version: number;
  /** The route file's text (YAML, `${VAR}` references kept: each replica fills them from its env). */
  text: string;
  createdAt: string;
}

/** A replica's last heartbeat. */
export interface ReplicaRow {
  id: string;
  startedAt: string;
  seenAt: string;
  /** Control-plane version of the table it serves. */
  version: number | null;
  info: Record<string, unknown>;
}

/** Channel a new table version is announced on (payload: the version). */
export const CHANNEL = 'strangler_proxy_table';

// Tables of the control plane; created on first use, under an advisory lock (replicas starting
// together would race in CREATE TABLE IF NOT EXISTS).
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS strangler_proxy_table (
    version bigint PRIMARY KEY,
    text text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE TABLE IF NOT EXISTS strangler_proxy_audit (
    id bigserial PRIMARY KEY,
    version bigint,
    entry jsonb NOT NULL
  );
  CREATE TABLE IF NOT EXISTS strangler_proxy_figures (
    replica text NOT NULL,
    target text NOT NULL,
    stage text NOT NULL,
    figures jsonb NOT NULL,
    at timestamptz NOT NULL,
    PRIMARY KEY (replica, target)
  );
  CREATE TABLE IF NOT EXISTS strangler_proxy_replicas (
    id text PRIMARY KEY,
    started_at timestamptz NOT NULL,
    seen_at timestamptz NOT NULL,
    version bigint,
    info jsonb NOT NULL DEFAULT '{}'
  );`;
const SCHEMA_LOCK = 0x5354_5250; // 'STRP'
const PUBLISH_LOCK = 0x5354_5251;

/**
 * The route table shared by several proxies, in Postgres: every version of the table (as route
 * file text), the audit log, and each replica's heartbeat. A switch publishes a new version and
 * its audit entry in one transaction, only on top of the version the switching replica serves, and
 * announces it with NOTIFY.
 */
export class ControlStore {
  readonly pool: pg.Pool;
  readonly description: string;

  constructor(readonly url: string) {
    this.description = `postgres:${describeUrl(url)}`;
    this.pool = new pg.Pool({
      connectionString: url,
      max: 4,
      connectionTimeoutMillis: 5000,
      // A database that goes silent must not hold a switch (or a shutdown) for the kernel's
      // 15-minute TCP timeout.
      keepAlive: true,
      query_timeout: 10_000,
    });
    // An idle connection that drops is replaced on the next query; it must not crash the proxy.
    this.pool.on('error', () => undefined);
  }

  async migrate(): Promise<void> {
    await this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
      await client.query(SCHEMA);
    });
  }

  /** The newest table, or undefined before the first import. */
  async latest(): Promise<StoredTable | undefined> {
    const { rows } = await this.query<{ version: string; text: string; created_at: Date }>(
      'SELECT version, text, created_at FROM strangler_proxy_table ORDER BY version DESC LIMIT 1',
    );
    const row = rows[0];
    return row
      ? { version: Number(row.version), text: row.text, createdAt: row.created_at.toISOString() }
      : undefined;
  }

  /** The newest version number (cheap: the periodic check). */
  async latestVersion(): Promise<number> {
    const { rows } = await this.query<{ v: string | null }>(
      'SELECT max(version) AS v FROM strangler_proxy_table',
    );
    return Number(rows[0]?.v ?? 0);
  }

  /**
   * Publishes `text` as the version after `expected` with its audit entry, in one transaction.
   * When another replica published first, nothing is written and a retriable `control_conflict`
   * says which version is newer: apply it and make the edit again on top of it.
   */
  async publish(text: string, expected: number, entry?: AuditEntry): Promise<number> {
    return this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [PUBLISH_LOCK]);
      const { rows } = await client.query<{ v: string | null }>(
        'SELECT max(version) AS v FROM strangler_proxy_table',
      );
      const latest = Number(rows[0]?.v ?? 0);
      if (latest !== expected) {
        throw new ProxyError(
          'control_conflict',
          `the route table changed on another replica (version ${latest}, this one has ${expected}); the change was not made, try again`,
          { retriable: true },
        );
      }
      const version = latest + 1;
      await client.query('INSERT INTO strangler_proxy_table (version, text) VALUES ($1, $2)', [
        version,
        text,
      ]);
      if (entry) {
        await client.query('INSERT INTO strangler_proxy_audit (version, entry) VALUES ($1, $2)', [
          version,
          entry,
        ]);
      }
      await client.query('SELECT pg_notify($1, $2)', [CHANNEL, String(version)]);
      return version;
    });
  }

  /** The newest audit entries, oldest first. */
  async audit(limit = 100): Promise<AuditEntry[]> {
    const { rows } = await this.query<{ entry: AuditEntry }>(
      'SELECT entry FROM (SELECT id, entry FROM strangler_proxy_audit ORDER BY id DESC LIMIT $1) n ORDER BY id',
      [limit],
    );
    return rows.map((r) => r.entry);
  }

  async heartbeat(
    id: string,
    startedAt: Date,
    version: number | null,
    info: Record<string, unknown>,
  ): Promise<void> {
    await this.query(
      `INSERT INTO strangler_proxy_replicas (id, started_at, seen_at, version, info)
       VALUES ($1, $2, now(), $3, $4)
       ON CONFLICT (id) DO UPDATE SET seen_at = now(), version = $3, info = $4`,
      [id, startedAt, version, info],
    );
  }

  /** Replicas seen within `withinMs`, by id. */
  async replicas(withinMs: number): Promise<ReplicaRow[]> {
    const { rows } = await this.query<{
      id: string;
      started_at: Date;
      seen_at: Date;
      version: string | null;
      info: Record<string, unknown>;
    }>(
      `SELECT id, started_at, seen_at, version, info FROM strangler_proxy_replicas
       WHERE seen_at > now() - make_interval(secs => $1::double precision / 1000) ORDER BY id`,
      [withinMs],
    );
    return rows.map((r) => ({
      id: r.id,
      startedAt: r.started_at.toISOString(),
      seenAt: r.seen_at.toISOString(),
      version: r.version === null ? null : Number(r.version),
      info: r.info,
    }));
  }

  async leave(id: string): Promise<void> {
    await this.query('DELETE FROM strangler_proxy_replicas WHERE id = $1', [id]);
    await this.query('DELETE FROM strangler_proxy_figures WHERE replica = $1', [id]);
  }

  /** Replaces this replica's gate figures (one row per gated route or group). */
  async putFigures(
    replica: string,
    rows: { target: string; stage: string; figures: ReplicaFigures['figures'] }[],
  ): Promise<void> {
    await this.query(
      `WITH given AS (
         SELECT * FROM jsonb_to_recordset($2::jsonb) AS g(target text, stage text, figures jsonb)
       ), gone AS (
         DELETE FROM strangler_proxy_figures f WHERE f.replica = $1
           AND NOT EXISTS (SELECT 1 FROM given WHERE given.target = f.target)
       )
       INSERT INTO strangler_proxy_figures (replica, target, stage, figures, at)
       SELECT $1, target, stage, figures, now() FROM given
       ON CONFLICT (replica, target) DO UPDATE
         SET stage = excluded.stage, figures = excluded.figures, at = excluded.at`,
      [replica, JSON.stringify(rows)],
    );
  }

  /** Every replica's figures for a target at a stage, uploaded within `withinMs`. */
  async figures(target: string, stage: string, withinMs: number): Promise<ReplicaFigures[]> {
    const { rows } = await this.query<ReplicaFigures>(
      `SELECT replica, figures FROM strangler_proxy_figures
       WHERE target = $1 AND stage = $2
         AND at > now() - make_interval(secs => $3::double precision / 1000)`,
      [target, stage, withinMs],
    );
    return rows;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** A query on the pool; a failure is `control_unreachable` (503), never a bare pg error. */
  private async query<R extends pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(text, values);
    } catch (err) {
      throw unreachable(this.description, err as Error);
    }
  }

  private async transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect().catch((err: Error) => {
      throw unreachable(this.description, err);
    });
    try {
      await client.query('BEGIN');
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err instanceof ProxyError ? err : unreachable(this.description, err as Error);
    } finally {
      client.release();
    }
  }
}

/** The control plane could not be reached or refused a statement (never prints the URL's password). */
export function unreachable(where: string, err: Error): ProxyError {
  return new ProxyError('control_unreachable', `control plane ${where}: ${err.message}`, {
    retriable: true,
    cause: err,
  });
}
