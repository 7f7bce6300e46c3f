/** A `${NAME}` whose variable is unset and has no `:-default`, with where it was found. */
export interface MissingVariable {
  path: (string | number)[];
  name: string;
}

const REF = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${NAME}` and `${NAME:-default}` in every string of a parsed YAML value with the
 * environment, and `$${` with a literal `${`. It runs on parsed values rather than the raw text so
 * that a secret containing YAML syntax cannot change the document's structure.
 */
export function interpolate(
  value: unknown,
  env: Record<string, string | undefined>,
  missing: MissingVariable[] = [],
  path: (string | number)[] = [],
): unknown {
  if (typeof value === 'string') {
    if (!value.includes('${')) return value;
    return value.replace(REF, (whole, name: string | undefined, fallback: string | undefined) => {
      if (whole === '$${') return '${';
      const found = env[name as string];
      if (found !== undefined && found !== '') return found;
      if (fallback !== undefined) return fallback;
      missing.push({ path, name: name as string });
      return '';
    });
  }
  if (Array.isArray(value)) {
    return value.map((item, i) => interpolate(item, env, missing, [...path, i]));
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = interpolate(item, env, missing, [...path, key]);
    }
    return out;
  }
  return value;
}
