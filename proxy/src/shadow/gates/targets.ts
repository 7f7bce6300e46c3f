import type { RouteTable } from '../../routing/table.js';
import type { ModeState } from '../../types.js';
import type { GatesConfig } from '../settings.js';

/** What a set of gates switches: an ungrouped route, or a group with all its routes. */
export interface GatedTarget {
  id: string;
  kind: 'route' | 'group';
  state: ModeState;
  gates: GatesConfig;
  /** The routes whose comparisons the gates read. */
  routes: readonly string[];
}

const modeState = (mode: ModeState['mode'], percent: number | undefined): ModeState =>
  percent === undefined ? { mode } : { mode, percent };

/** The target with this id, if it has gates (route and group ids share one namespace). */
export function gatedTarget(table: RouteTable, id: string): GatedTarget | undefined {
  const group = table.groups.get(id);
  if (group) {
    return group.gates
      ? {
          id,
          kind: 'group',
          state: modeState(group.mode, group.percent),
          gates: group.gates,
          routes: group.routes,
        }
      : undefined;
  }
  const route = table.byId.get(id);
  const gates = route?.config.gates;
  if (!route || !gates || route.group !== undefined) return undefined;
  return { id, kind: 'route', state: modeState(route.mode, route.percent), gates, routes: [id] };
}

/** Every target with gates, groups first. */
export function gatedTargets(table: RouteTable): GatedTarget[] {
  return [...table.groups.keys(), ...table.byId.keys()].flatMap(
    (id) => gatedTarget(table, id) ?? [],
  );
}
