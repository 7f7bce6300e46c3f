import type { CompiledRoute, RouteTable } from '../routing/table.js';
import type { RouteStats } from '../runtime/stats.js';
import type { GroupView, RouteView } from '../types.js';

export function routeView(route: CompiledRoute, stats: RouteStats): RouteView {
  const m = route.config.match;
  return {
    id: route.id,
    ...(route.description === undefined ? {} : { description: route.description }),
    ...(route.group === undefined ? {} : { group: route.group }),
    mode: route.mode,
    ...(route.percent === undefined ? {} : { percent: route.percent }),
    sticky: route.sticky.label,
    match: {
      path: m.path,
      ...(m.methods ? { methods: m.methods } : {}),
      ...(m.headers ? { headers: m.headers } : {}),
    },
    upstreams: { legacy: route.targets.legacy.upstream.name, new: route.targets.new.upstream.name },
    stats: stats.view(route.id),
  };
}

export function groupViews(table: RouteTable): GroupView[] {
  return [...table.groups.values()].map((g) => ({
    id: g.id,
    ...(g.description === undefined ? {} : { description: g.description }),
    mode: g.mode,
    ...(g.percent === undefined ? {} : { percent: g.percent }),
    sticky: g.sticky.label,
    routes: [...g.routes],
  }));
}
