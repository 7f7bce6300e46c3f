import type { IncomingHttpHeaders } from 'node:http';
import type { ProxyConfig } from '../types.js';

export type HeaderTest = (headers: IncomingHttpHeaders) => boolean;

type HeaderConditions = NonNullable<ProxyConfig['routes'][number]['match']['headers']>;

function valueOf(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Compiles a route's header conditions into predicates (null when there are none). */
export function compileHeaderTests(conditions: HeaderConditions | undefined): HeaderTest[] | null {
  if (!conditions) return null;
  const tests: HeaderTest[] = [];
  for (const [rawName, cond] of Object.entries(conditions)) {
    const name = rawName.toLowerCase();
    if (typeof cond === 'string') {
      tests.push((h) => valueOf(h, name) === cond);
      continue;
    }
    if (cond.present !== undefined) {
      const present = cond.present;
      tests.push((h) => (h[name] !== undefined) === present);
    }
    if (cond.equals !== undefined) {
      const expected = cond.equals;
      tests.push((h) => valueOf(h, name) === expected);
    }
    if (cond.regex !== undefined) {
      const regex = new RegExp(cond.regex);
      tests.push((h) => {
        const v = valueOf(h, name);
        return v !== undefined && regex.test(v);
      });
    }
  }
  return tests.length > 0 ? tests : null;
}
