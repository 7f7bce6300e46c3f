import { ruleProblem } from '../shadow/compare/pointer.js';
import type { ProxyConfig } from '../types.js';
import type { IssuePath } from './issues.js';

type Route = ProxyConfig['routes'][number];
type Group = ProxyConfig['groups'][number];

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
      `route is in group "${route.group}": set gates on the group, which reads the comparisons of all its routes and switches them together`,
    );
  }
  checkSteps(g, at, push);
  if (s && !s.enabled) {
    push(
      at('gates'),
      'gates read the comparison figures, but shadow.enabled is false for this route',
    );
  }
}

function checkSteps(
  g: NonNullable<Route['gates']>,
  at: (...rest: PropertyKey[]) => IssuePath,
  push: (path: IssuePath, message: string) => void,
): void {
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
}

/**
 * Checks a group's `gates`: they read the comparisons of the group's routes, so some route must
 * compare; a write group never enters canary, so its only promotion is shadow -> new, and a
 * rollback rule (which acts in canary) could never fire.
 */
export function checkGroupGates(
  group: Group,
  members: readonly Route[],
  at: (...rest: PropertyKey[]) => IssuePath,
  push: (path: IssuePath, message: string) => void,
): void {
  const g = group.gates;
  if (!g) return;
  checkSteps(g, at, push);
  if (group.writes) {
    const steps = g.promote?.steps ?? [];
    if (g.promote && (steps.length !== 1 || steps[0] !== 'new')) {
      push(
        at('gates', 'promote', 'steps'),
        `a write group moves from shadow straight to new (canary would give its aggregate two writers): use steps: [new] (got ${JSON.stringify(steps)})`,
      );
    }
    if (g.rollback) {
      push(
        at('gates', 'rollback'),
        'rollback rules act in canary, which a write group never enters; remove them and roll back by hand (a switch to legacy)',
      );
    }
  }
  if (!members.some((r) => r.shadow?.enabled)) {
    push(
      at('gates'),
      members.length === 0
        ? `no route is in group "${group.id}", so there are no comparisons for its gates to read`
        : `gates read the comparisons of the group's routes, but none of them (${members.map((r) => r.id).join(', ')}) has shadow.enabled`,
    );
  }
}
