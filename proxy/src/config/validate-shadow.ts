import { ruleProblem } from '../shadow/compare/pointer.js';
import type { ProxyConfig } from '../types.js';
import type { IssuePath } from './issues.js';

type Route = ProxyConfig['routes'][number];

/** Checks a route's `shadow` and `gates` beyond what the schema sees field by field. */
export function checkShadow(
  route: Route,
  at: (...rest: PropertyKey[]) => IssuePath,
  push: (path: IssuePath, message: string) => void,
): void {
  const s = route.shadow;
  s?.ignore.forEach((entry, j) => {
    const rule = typeof entry === 'string' ? entry : entry.rule;
    const problem = ruleProblem(rule);
    const path =
      typeof entry === 'string' ? at('shadow', 'ignore', j) : at('shadow', 'ignore', j, 'rule');
    if (problem) push(path, `${problem} (got ${JSON.stringify(rule)})`);
  });
  const pointers: [string, string, number][] = [
    ...(s?.normalize?.sortArrays ?? []).map((x, j): [string, string, number] => [
      'sortArrays',
      x.pointer,
      j,
    ]),
    ...(s?.normalize?.numbers ?? []).map((x, j): [string, string, number] => [
      'numbers',
      x.pointer,
      j,
    ]),
  ];
  for (const [list, pointer, j] of pointers) {
    const problem = pointer.startsWith('/')
      ? ruleProblem(pointer)
      : 'a normalizer pointer starts with "/"';
    if (problem)
      push(
        at('shadow', 'normalize', list, j, 'pointer'),
        `${problem} (got ${JSON.stringify(pointer)})`,
      );
  }
  const g = route.gates;
  if (!g) return;
  if (route.group !== undefined) {
    push(
      at('gates'),
      `route is in group "${route.group}": gates switch single routes only; switch the group by hand or move the route out of it`,
    );
  }
  const steps = g.promote?.steps ?? [];
  steps.forEach((step, j) => {
    if (step === 'new' && j !== steps.length - 1) {
      push(at('gates', 'promote', 'steps', j), '"new" can only be the last step');
    }
    const prev = steps[j - 1];
    if (typeof step === 'number' && typeof prev === 'number' && step <= prev) {
      push(
        at('gates', 'promote', 'steps', j),
        `canary percents must increase (${prev} then ${step})`,
      );
    }
  });
  if (s && !s.enabled) {
    push(
      at('gates'),
      'gates read the comparison figures, but shadow.enabled is false for this route',
    );
  }
}
