import { Pool } from 'undici';
import type { RouteTable, UpstreamSpec } from '../routing/table.js';

/** How long a replaced pool keeps serving requests that picked it before a reload. */
const RETIRE_AFTER_MS = 10_000;

/**
 * One undici connection pool per upstream, kept across reloads while the upstream's address and
 * pool options stay the same, so a reload does not drop warm keep-alive connections.
 */
export class PoolRegistry {
  private readonly pools = new Map<string, { key: string; pool: Pool }>();
  private readonly retiring = new Set<Pool>();

  /** Creates or reuses pools for every upstream of the table; retires those no longer used. */
  sync(table: RouteTable): void {
    const seen = new Set<string>();
    for (const spec of table.upstreams.values()) {
      if (!spec.origin) continue;
      seen.add(spec.name);
      const existing = this.pools.get(spec.name);
      if (existing?.key === spec.key) continue;
      if (existing) this.retire(existing.pool);
      this.pools.set(spec.name, { key: spec.key, pool: this.create(spec) });
    }
    for (const [name, entry] of this.pools) {
      if (!seen.has(name)) {
        this.pools.delete(name);
        this.retire(entry.pool);
      }
    }
  }

  get(spec: UpstreamSpec): Pool | undefined {
    return this.pools.get(spec.name)?.pool;
  }

  private create(spec: UpstreamSpec): Pool {
    return new Pool(spec.origin, {
      connections: spec.connections,
      pipelining: 1,
      connectTimeout: spec.connectTimeout,
      headersTimeout: spec.responseTimeout,
      bodyTimeout: spec.idleTimeout,
    });
  }

  private retire(pool: Pool): void {
    this.retiring.add(pool);
    const timer = setTimeout(() => {
      this.retiring.delete(pool);
      void pool.close().catch(() => undefined);
    }, RETIRE_AFTER_MS);
    timer.unref();
  }

  /** Waits for requests in flight on every pool, then closes them. */
  async close(): Promise<void> {
    const all = [...[...this.pools.values()].map((e) => e.pool), ...this.retiring];
    this.pools.clear();
    this.retiring.clear();
    await Promise.all(all.map((pool) => pool.close().catch(() => undefined)));
  }
}
