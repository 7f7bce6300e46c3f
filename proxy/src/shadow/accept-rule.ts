import { actorOf } from '../switching/actor.js';
import { addIgnoreRuleInText } from '../config/add-ignore-rule.js';
import { ignoreRuleSchema } from '../config/shadow-schema.js';
import { ProxyError } from '../errors.js';
import type { ProxyRuntime } from '../runtime/runtime.js';
import type { AuditLog } from '../switching/audit.js';
import { commitEdit } from '../switching/config-edit.js';
import type {
  AcceptRuleRequest,
  AcceptRuleResult,
  IgnoreRule,
  IgnoreRuleAuditEntry,
  ProxyConfigInput,
} from '../types.js';
import { ruleProblem } from './compare/pointer.js';
import { expiryOf, viewRules } from './ignore-rules.js';

const ruleEntry = ignoreRuleSchema.options[1];

const HINTS: Record<string, string> = {
  rule: 'the JSON pointer, header:<name> or status to ignore',
  owner: 'who answers for the rule (a person or team)',
  reason: 'why the difference does not matter',
};

function checked(request: AcceptRuleRequest, now: number): IgnoreRule {
  const parsed = ruleEntry.safeParse({
    rule: request.rule,
    owner: request.owner,
    reason: request.reason,
    ...(request.expires === undefined ? {} : { expires: request.expires }),
  });
  if (!parsed.success) {
    const given = request as unknown as Record<string, unknown>;
    const issues = parsed.error.issues.map((i) => {
      const field = i.path.join('.') || 'rule';
      const missing = given[field] === undefined || given[field] === '';
      return {
        route: request.route,
        field,
        message: missing ? `required: ${HINTS[field] ?? 'give a value'}` : i.message,
      };
    });
    throw new ProxyError(
      'invalid_rule',
      `the ignore rule for route "${request.route}" is incomplete: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`,
      { issues },
    );
  }
  const rule = parsed.data;
  const problem = ruleProblem(rule.rule);
  if (problem)
    throw new ProxyError('invalid_rule', `rule ${JSON.stringify(rule.rule)}: ${problem}`, {
      issues: [{ route: request.route, field: 'rule', message: problem }],
    });
  if (rule.expires !== undefined && expiryOf(rule.expires) <= now)
    throw new ProxyError('invalid_rule', `expires ${rule.expires} is already past`, {
      issues: [{ route: request.route, field: 'expires', message: 'already past' }],
    });
  return rule;
}

function addToInput(input: ProxyConfigInput, id: string, rule: IgnoreRule): ProxyConfigInput {
  const copy = structuredClone(input);
  const route = (copy.routes ?? []).find((r) => r.id === id);
  if (!route) throw new ProxyError('unknown_target', `no route "${id}" in the config`);
  route.shadow = { ...route.shadow, ignore: [...(route.shadow?.ignore ?? []), rule] };
  return copy;
}

/**
 * Accepts an ignore rule for a route (a learned-noise suggestion, or any rule a person vouches
 * for): appended to the route's `shadow.ignore` in the file with its owner, reason and expiry,
 * audited, and applied at once. A rule the route already has in force changes nothing.
 */
export class IgnoreRuleAcceptor {
  constructor(
    private readonly runtime: ProxyRuntime,
    private readonly audit: AuditLog,
  ) {}

  accept(request: AcceptRuleRequest): Promise<AcceptRuleResult> {
    return this.runtime.exclusive(() => this.apply(request));
  }

  private async apply(request: AcceptRuleRequest): Promise<AcceptRuleResult> {
    const now = Date.now();
    const table = this.runtime.table;
    const route = table.byId.get(request.route);
    if (!route) throw new ProxyError('unknown_target', `no route "${request.route}"`);
    const rule = checked(request, now);
    const at = new Date(now).toISOString();
    const inForce = viewRules(route.config.shadow?.ignore ?? [], now).some(
      (v) => v.rule === rule.rule && !v.expired,
    );
    if (inForce) return { changed: false, route: request.route, rule, at, version: table.version };
    const entry: IgnoreRuleAuditEntry = {
      at,
      kind: 'ignore_rule',
      target: request.route,
      routes: [request.route],
      rule,
      reason: rule.reason,
      actor: actorOf(request.actor, `${request.source ?? 'api'} caller`),
      source: request.source ?? 'api',
      ...(table.loaded.file ? { file: table.loaded.file } : {}),
    };
    const next = await commitEdit(this.runtime, this.audit, {
      text: (text) => addIgnoreRuleInText(text, request.route, rule),
      input: (input) => addToInput(input, request.route, rule),
      entry,
      invalid: 'invalid_rule',
      subject: `route "${request.route}" with the ignore rule ${rule.rule}`,
      why: `ignore rule ${rule.rule} on ${request.route}`,
    });
    this.runtime.logger.info(
      { ignoreRule: entry, version: next.version },
      'shadow ignore rule accepted',
    );
    return { changed: true, route: request.route, rule, at, version: next.version };
  }
}
