import type { IssuePath } from './issues.js';

// Fields whose values are credentials wherever they appear (admin.token, override.secret, a
// user's own header values): an error names the field and never prints what was in it.
const SECRET_FIELD = /token|secret|password|passw|credential|api[-_]?key|authorization|cookie/i;

/** What an error may say about a refused value: the value, or only its kind for a secret. */
export function shownValue(path: IssuePath, input: unknown): string {
  const secret = path.some((key) => typeof key === 'string' && SECRET_FIELD.test(key));
  if (secret) {
    return typeof input === 'string'
      ? `a ${input.length}-character value, not shown`
      : `a ${input === null ? 'null' : typeof input}, not shown`;
  }
  return JSON.stringify(typeof input === 'string' ? withoutPassword(input) : input);
}

/** A URL with its password replaced (`http://user:***@host`); any other text as it is. */
export function withoutPassword(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:\s]*):[^/@\s]*@/i, '$1:***@');
}
