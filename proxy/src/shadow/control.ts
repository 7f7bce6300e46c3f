import type { ShadowControl } from '../types.js';
import type { IgnoreRuleAcceptor } from './accept-rule.js';
import type { GateRunner } from './gates/runner.js';
import type { ShadowService } from './service.js';

/** The public face of shadow comparison and gates, the same for the proxy and the middleware. */
export function shadowControl(
  shadow: ShadowService,
  gates: GateRunner,
  rules: IgnoreRuleAcceptor,
): ShadowControl {
  return {
    report: (route) => shadow.report(route),
    reports: () => shadow.routeIds().flatMap((id) => shadow.report(id) ?? []),
    mismatches: (route, limit) => shadow.mismatches(route, limit) ?? [],
    mismatchGroups: (route, limit) =>
      shadow.mismatchGroups(route, limit) ?? { groups: [], ungrouped: 0 },
    timeline: (route) => shadow.timeline(route) ?? [],
    noise: (route) => shadow.noise(route),
    idle: () => shadow.idle(),
    ready: () => shadow.ready(),
    evaluateGates: (route) => gates.evaluate(route),
    acceptIgnoreRule: (request) => rules.accept(request),
  };
}
