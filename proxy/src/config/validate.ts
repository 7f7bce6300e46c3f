import { compilePattern } from '../routing/pattern.js';
import type { ProxyConfig } from '../types.js';
import type { IssuePath } from './issues.js';
import { withoutPassword } from './shown-value.js';
import { checkGroupGates, checkShadow } from './validate-shadow.js';

export interface RawIssue {
  path: IssuePath;
  message: string;
}

type Sticky = ProxyConfig['sticky'];

function checkUpstreams(config: ProxyConfig, issues: RawIssue[]): void {
  for (const [name, spec] of Object.entries(config.upstreams)) {
    const url = typeof spec === 'string' ? spec : spec.url;
    const path = typeof spec === 'string' ? ['upstreams', name] : ['upstreams', name, 'url'];
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      issues.push({ path, message: `not a URL: ${JSON.stringify(withoutPassword(url))}` });
      continue;
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      issues.push({ path, message: `use http:// or https:// (got ${parsed.protocol})` });
    }
    if (parsed.search || parsed.hash) {
      issues.push({ path, message: 'an upstream URL may not carry a query or fragment' });
    }
  }
}

function checkIds(config: ProxyConfig, issues: RawIssue[]): void {
  const seen = new Map<string, string>();
  const visit = (kind: 'routes' | 'groups', id: string, index: number) => {
    const first = seen.get(id);
    if (first) {
      issues.push({
        path: [kind, index, 'id'],
        message: `id "${id}" is already used by ${first}; route and group ids share one namespace`,
      });
    } else seen.set(id, `${kind === 'routes' ? 'route' : 'group'} #${index + 1}`);
  };
  config.groups.forEach((g, i) => visit('groups', g.id, i));
  config.routes.forEach((r, i) => visit('routes', r.id, i));
}

function stickyParamMissing(sticky: Sticky | undefined, params: readonly string[]): string | null {
  if (!sticky || !('param' in sticky)) return null;
  return params.includes(sticky.param) ? null : sticky.param;
}

/**
 * Checks what zod cannot see field by field: references between routes, groups and upstreams,
 * path patterns, regular expressions, and the rule that a grouped route takes its mode from its
 * group (so an aggregate's write routes can never be split between two writers).
 */
export function validateConfig(
  config: ProxyConfig,
  options: { embedded?: boolean } = {},
): RawIssue[] {
  const issues: RawIssue[] = [];
  checkUpstreams(config, issues);
  checkIds(config, issues);
  if (!options.embedded && !config.upstreams.legacy) {
    issues.push({
      path: ['upstreams'],
      message: 'an upstream named "legacy" is required: it serves every request no route matches',
    });
  }
  const groups = new Map(config.groups.map((g) => [g.id, g]));
  config.groups.forEach((group, i) => {
    if (group.writes && group.mode === 'canary') {
      issues.push({
        path: ['groups', i, 'mode'],
        message:
          'a write group cannot be in canary: its aggregate would have two writers; use legacy, shadow or new',
      });
    }
    checkGroupGates(
      group,
      config.routes.filter((r) => r.group === group.id),
      (...rest) => ['groups', i, ...rest],
      (path, message) => issues.push({ path, message }),
    );
  });
  config.routes.forEach((route, i) => {
    const at = (...rest: PropertyKey[]): IssuePath => ['routes', i, ...rest];
    let params: readonly string[] = [];
    try {
      params = compilePattern(route.match.path).params;
    } catch (err) {
      issues.push({ path: at('match', 'path'), message: (err as Error).message });
    }
    for (const [name, cond] of Object.entries(route.match.headers ?? {})) {
      if (typeof cond === 'object' && cond.regex !== undefined) {
        try {
          new RegExp(cond.regex);
        } catch (err) {
          issues.push({
            path: at('match', 'headers', name, 'regex'),
            message: (err as Error).message,
          });
        }
      }
    }
    const group = route.group === undefined ? undefined : groups.get(route.group);
    if (route.group !== undefined && !group) {
      issues.push({ path: at('group'), message: `no group with id "${route.group}" in groups` });
    }
    if (route.group !== undefined) {
      for (const field of ['mode', 'percent', 'sticky'] as const) {
        if (route[field] !== undefined) {
          issues.push({
            path: at(field),
            message: `route is in group "${route.group}": set ${field} on the group, so all its routes switch together`,
          });
        }
      }
    }
    const mode = group?.mode ?? route.mode ?? 'legacy';
    const percent = group ? group.percent : route.percent;
    if (mode === 'canary' && percent === undefined) {
      issues.push({
        path: group ? ['groups', config.groups.indexOf(group), 'percent'] : at('percent'),
        message: 'canary mode needs a percent (0-100)',
      });
    }
    const sticky = group?.sticky ?? route.sticky ?? config.sticky;
    const missing = stickyParamMissing(sticky, params);
    if (missing) {
      issues.push({
        path: group?.sticky
          ? at('match', 'path')
          : route.sticky
            ? at('sticky', 'param')
            : ['sticky'],
        message: `the sticky key is path parameter :${missing}, which this route's path does not have`,
      });
    }
    checkShadow(route, at, (path, message) => issues.push({ path, message }));
    const names = route.upstreams ?? { legacy: 'legacy', new: 'new' };
    for (const role of ['legacy', 'new'] as const) {
      if (role === 'legacy' && options.embedded) continue;
      if (!config.upstreams[names[role]]) {
        issues.push({
          path: route.upstreams ? at('upstreams', role) : at('id'),
          message: `its ${role} upstream "${names[role]}" is not defined in upstreams`,
        });
      }
    }
  });
  return issues;
}
