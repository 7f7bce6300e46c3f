import { MODES } from '../config/schema.js';
import { ProxyError } from '../errors.js';
import type { RouteTable } from '../routing/table.js';
import type { ModeState, ProxyConfigInput, SwitchRequest } from '../types.js';

export interface Resolved {
  kind: 'route' | 'group';
  routes: string[];
  from: ModeState;
}

export function resolve(table: RouteTable, target: string): Resolved {
  const group = table.groups.get(target);
  if (group) {
    return { kind: 'group', routes: [...group.routes], from: state(group.mode, group.percent) };
  }
  const route = table.byId.get(target);
  if (!route) throw new ProxyError('unknown_target', `no route or group "${target}"`);
  if (route.group !== undefined) {
    throw new ProxyError(
      'route_in_group',
      `route "${target}" belongs to group "${route.group}": switch the group, so all its routes move together`,
    );
  }
  return { kind: 'route', routes: [route.id], from: state(route.mode, route.percent) };
}

export function state(mode: ModeState['mode'], percent: number | undefined): ModeState {
  return percent === undefined ? { mode } : { mode, percent };
}

export function checkRequest(request: SwitchRequest, needsReason = true): void {
  if (!(MODES as readonly string[]).includes(request.mode)) {
    throw new ProxyError(
      'invalid_switch',
      `mode must be one of ${MODES.join(', ')} (got ${JSON.stringify(request.mode)})`,
    );
  }
  const p = request.percent;
  if (
    p !== undefined &&
    (typeof p !== 'number' || !(p >= 0 && p <= 100) || Math.round(p * 100) !== p * 100)
  ) {
    throw new ProxyError(
      'invalid_switch',
      `percent must be 0-100 with at most two decimals (got ${JSON.stringify(p)})`,
    );
  }
  if (needsReason && (typeof request.reason !== 'string' || request.reason.trim() === '')) {
    throw new ProxyError('invalid_switch', 'a reason is required: it goes into the audit log');
  }
}

/** A copy of an object config with one route or group moved. */
export function editInput(
  input: ProxyConfigInput,
  kind: 'route' | 'group',
  id: string,
  to: ModeState,
): ProxyConfigInput {
  const copy = structuredClone(input);
  const list = (kind === 'route' ? copy.routes : copy.groups) as
    { id: string; mode?: string; percent?: number }[] | undefined;
  const item = list?.find((entry) => entry.id === id);
  if (!item) throw new ProxyError('unknown_target', `no ${kind} "${id}" in the config`);
  item.mode = to.mode;
  if (to.mode !== 'canary') delete item.percent;
  else if (to.percent !== undefined) item.percent = to.percent;
  return copy;
}
