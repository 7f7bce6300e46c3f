/** A compiled path pattern. */
export interface PathPattern {
  readonly source: string;
  readonly params: readonly string[];
  /** Parameter values by name when the path matches, else undefined. */
  match(path: string): Record<string, string> | undefined;
  /** Cheaper than match() when the parameters are not needed. */
  test(path: string): boolean;
}

const PARAM = /^:([A-Za-z_][A-Za-z0-9_]*)$/;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Compiles `/orders/:id/lines`, `/static/*`, `/api/**`. Throws with a message saying
 * what to fix when the pattern is malformed.
 */
export function compilePattern(source: string): PathPattern {
  if (!source.startsWith('/'))
    throw new Error(`must start with '/' (got ${JSON.stringify(source)})`);
  if (source.includes('?')) throw new Error('must not contain a query string; match the path only');
  const segments = source.split('/').slice(1);
  if (segments.length > 0 && segments[segments.length - 1] === '') segments.pop();
  const params: string[] = [];
  let regex = '^';
  segments.forEach((segment, index) => {
    if (segment === '**') {
      if (index !== segments.length - 1) throw new Error("'**' may only be the last segment");
      regex += '(?:/.*)?';
      return;
    }
    if (segment === '') throw new Error("must not contain an empty segment ('//')");
    const param = PARAM.exec(segment);
    if (param) {
      const name = param[1] as string;
      if (params.includes(name)) throw new Error(`parameter ':${name}' appears twice`);
      params.push(name);
      regex += '/([^/]+)';
    } else if (segment === '*') {
      regex += '/[^/]+';
    } else if (segment.startsWith(':')) {
      throw new Error(`bad parameter '${segment}': use :name with letters, digits and '_'`);
    } else if (segment.includes('*')) {
      throw new Error(`'*' must be a whole segment (got '${segment}')`);
    } else {
      regex += '/' + escapeRegExp(segment);
    }
  });
  const endsWithRest = segments[segments.length - 1] === '**';
  if (segments.length === 0) regex += '/$';
  else regex += endsWithRest ? '$' : '/?$';
  const compiled = new RegExp(regex);
  return {
    source,
    params,
    test: (path) => compiled.test(path),
    match(path) {
      const m = compiled.exec(path);
      if (!m) return undefined;
      const values: Record<string, string> = {};
      params.forEach((name, i) => {
        const raw = m[i + 1] as string;
        try {
          values[name] = decodeURIComponent(raw);
        } catch {
          values[name] = raw;
        }
      });
      return values;
    },
  };
}

/**
 * The path used for matching: without query, with `.`/`..` segments resolved and repeated slashes
 * merged, the way upstream frameworks resolve them, so a request cannot reach one system's route by
 * dressing up a path the other system normalises differently. The request is forwarded unchanged.
 */
export function matchPath(url: string): string {
  const q = url.indexOf('?');
  let path = q === -1 ? url : url.slice(0, q);
  if (path.charCodeAt(0) !== 47 /* '/' */) {
    // Absolute-form request target (GET http://host/path): match on its path.
    try {
      path = new URL(path).pathname;
    } catch {
      return path;
    }
  }
  if (!path.includes('/.') && !path.includes('//')) return path;
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  return '/' + out.join('/') + (path.endsWith('/') && out.length > 0 ? '/' : '');
}
