import type { Role, RouteStatsView } from '../types.js';

interface Counters {
  legacy: number;
  new: number;
  errors: number;
  last: number;
}

/** Per-route counters for `routes list`, kept by route id so they survive reloads and switches. */
export class RouteStats {
  private readonly byRoute = new Map<string, Counters>();

  record(route: string, role: Role, status: number): void {
    let c = this.byRoute.get(route);
    if (!c) this.byRoute.set(route, (c = { legacy: 0, new: 0, errors: 0, last: 0 }));
    c[role]++;
    if (status >= 500) c.errors++;
    c.last = Date.now();
  }

  view(route: string): RouteStatsView {
    const c = this.byRoute.get(route);
    if (!c) return { requests: { legacy: 0, new: 0 }, errors: 0 };
    return {
      requests: { legacy: c.legacy, new: c.new },
      errors: c.errors,
      lastRequestAt: new Date(c.last).toISOString(),
    };
  }
}
