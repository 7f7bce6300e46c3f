import type { IgnoreRuleView, ProxyConfig } from '../types.js';

export type { IgnoreRuleView } from '../types.js';

type Entry = NonNullable<ProxyConfig['routes'][number]['shadow']>['ignore'][number];

/** Epoch ms of an `expires` value; a bare date lasts to the end of that day (UTC). */
export function expiryOf(expires: string): number {
  return /^\d{4}-\d{2}-\d{2}$/.test(expires)
    ? Date.parse(`${expires}T23:59:59.999Z`)
    : Date.parse(expires);
}

/** The route's rules with their state at `now`. */
export function viewRules(entries: readonly Entry[], now = Date.now()): IgnoreRuleView[] {
  return entries.map((e) =>
    typeof e === 'string'
      ? { rule: e, expired: false }
      : {
          rule: e.rule,
          owner: e.owner,
          reason: e.reason,
          ...(e.expires === undefined ? {} : { expires: e.expires }),
          expired: e.expires !== undefined && expiryOf(e.expires) <= now,
        },
  );
}

/** The next moment one of `entries` expires after `now`, or undefined. */
export function nextExpiry(entries: readonly Entry[], now = Date.now()): number | undefined {
  let next: number | undefined;
  for (const e of entries) {
    if (typeof e === 'string' || e.expires === undefined) continue;
    const at = expiryOf(e.expires);
    if (at > now && (next === undefined || at < next)) next = at;
  }
  return next;
}
