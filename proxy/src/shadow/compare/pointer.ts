/** RFC 6901 escaping of one reference token. */
export function escapeToken(token: string): string {
  return token.includes('~') || token.includes('/')
    ? token.replace(/~/g, '~0').replace(/\//g, '~1')
    : token;
}

export function unescapeToken(token: string): string {
  return token.includes('~') ? token.replace(/~1/g, '/').replace(/~0/g, '~') : token;
}

/** `/items/0/id` -> ['items', '0', 'id']; '' (the whole document) -> []. */
export function splitPointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map(unescapeToken);
}

export function joinPointer(tokens: readonly string[]): string {
  return tokens.length === 0 ? '' : '/' + tokens.map(escapeToken).join('/');
}

const INDEX = /^(0|[1-9]\d*)$/;

/**
 * The field a pointer names, with array indices replaced by `*`: `/items/3/updatedAt` becomes
 * `/items/*\/updatedAt`. Noise is learned and ignore rules are suggested per pattern, so one noisy
 * field of every array element counts as one field, not one per index.
 */
export function patternOf(location: string): string {
  if (!location.startsWith('/')) return location;
  const tokens = location.slice(1).split('/');
  let changed = false;
  for (let i = 0; i < tokens.length; i++) {
    if (INDEX.test(tokens[i] as string)) {
      tokens[i] = '*';
      changed = true;
    }
  }
  return changed ? '/' + tokens.join('/') : location;
}

/** A compiled ignore rule: true when a location is the rule's field or inside it. */
export type LocationTest = (location: string) => boolean;

/**
 * Compiles ignore rules. A body rule is a JSON pointer where a `*` token matches any one key or
 * index and a final `**` matches any rest (`/**\/updatedAt` is not supported: wildcards stand for
 * whole tokens). A rule covers everything below it. `header:<name>` ignores a header, `status`
 * the status code.
 */
export function compileRules(rules: readonly string[]): LocationTest {
  if (rules.length === 0) return () => false;
  const exact = new Set<string>();
  const patterns: string[][] = [];
  for (const rule of rules) {
    if (!rule.startsWith('/') && rule !== '') exact.add(rule.toLowerCase());
    else if (rule.includes('*')) patterns.push(rule.slice(1).split('/'));
    else exact.add(rule);
  }
  return (location) => {
    if (exact.has(location)) return true;
    if (!location.startsWith('/')) return exact.has(location.toLowerCase());
    // A rule also covers the fields inside what it names.
    for (const rule of exact) {
      if (rule.startsWith('/') && location.startsWith(rule + '/')) return true;
      if (rule === '') return true;
    }
    if (patterns.length === 0) return false;
    const tokens = location.slice(1).split('/');
    return patterns.some((p) => covers(p, tokens));
  };
}

function covers(rule: string[], tokens: string[]): boolean {
  for (let i = 0; i < rule.length; i++) {
    const r = rule[i] as string;
    if (r === '**' && i === rule.length - 1) return true;
    if (i >= tokens.length) return false;
    if (r !== '*' && r !== tokens[i]) return false;
  }
  return true;
}

/** Checks a rule's syntax; returns why it is wrong, or undefined. */
export function ruleProblem(rule: string): string | undefined {
  if (rule === 'status' || /^header:[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(rule)) return undefined;
  if (!rule.startsWith('/')) {
    return 'an ignore rule is a JSON pointer starting with "/" (e.g. /items/*/updatedAt), header:<name> or status';
  }
  const tokens = rule.slice(1).split('/');
  const bad = tokens.findIndex((t, i) => t === '**' && i !== tokens.length - 1);
  if (bad !== -1) return '"**" may only be the last token of a rule';
  if (/~[^01]/.test(rule) || rule.endsWith('~'))
    return 'in a JSON pointer "~" must be written ~0 (and "/" inside a key ~1)';
  return undefined;
}
