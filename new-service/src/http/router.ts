import { configError, NewServiceError, notFound } from '../errors.js';
import type { Route, RouteHandler } from '../types.js';

// Routing the way express's router does it, so a service that replaces an express app answers
// edge cases alike: case-insensitive paths, one optional trailing slash, parameters matched
// undecoded then percent-decoded (a bad escape is a 400), HEAD served by GET routes, OPTIONS
// answered with the methods of the path, anything else a 404 "No route METHOD /path".

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
type Method = (typeof METHODS)[number];
const PARAM = /^:([A-Za-z_][A-Za-z0-9_]*)$/;

/** A route for `method` and `path` (`/orders/:id`); `params.id` is typed from the path. */
export function route<P extends string>(method: Method, path: P, handler: RouteHandler<P>): Route {
  if (!METHODS.includes(method)) {
    throw configError(`route method "${method}" must be one of ${METHODS.join(', ')}`);
  }
  compile(path); // refuses a bad path now, naming it
  if (typeof handler !== 'function')
    throw configError(`route ${method} ${path}: handler must be a function`);
  return Object.freeze({ method, path, handler: handler as RouteHandler });
}

/** `GET path` (HEAD too). */
export const get = <P extends string>(path: P, handler: RouteHandler<P>) =>
  route('GET', path, handler);
export const post = <P extends string>(path: P, handler: RouteHandler<P>) =>
  route('POST', path, handler);
export const put = <P extends string>(path: P, handler: RouteHandler<P>) =>
  route('PUT', path, handler);
export const patch = <P extends string>(path: P, handler: RouteHandler<P>) =>
  route('PATCH', path, handler);
export const del = <P extends string>(path: P, handler: RouteHandler<P>) =>
  route('DELETE', path, handler);

interface Compiled {
  pattern: RegExp;
  names: string[];
}

function compile(path: string): Compiled {
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw configError(`route path ${JSON.stringify(path)} must start with /`);
  }
  const names: string[] = [];
  const parts = path
    .split('/')
    .slice(1)
    .map((segment) => {
      const param = PARAM.exec(segment);
      if (param) {
        if (names.includes(param[1]!)) throw configError(`route path ${path} repeats :${param[1]}`);
        names.push(param[1]!);
        return '([^/]+)';
      }
      if (segment.includes(':'))
        throw configError(`route path ${path}: bad parameter "${segment}"`);
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    });
  const body = parts.join('/').replace(/\/$/, '');
  return { pattern: new RegExp(body === '' ? '^/$' : `^/${body}/?$`, 'i'), names };
}

/** A route as the router holds it. */
export interface Entry {
  route: Route;
  builtin: boolean;
}

export type Match =
  | { kind: 'route'; entry: Entry; rawParams: Record<string, string> }
  | { kind: 'options'; allow: string };

export class Router {
  readonly #entries: (Entry & Compiled)[];

  constructor(entries: readonly Entry[]) {
    const seen = new Set<string>();
    this.#entries = entries.map((entry) => {
      const compiled = compile(entry.route.path);
      const key = `${entry.route.method} ${compiled.pattern.source.toLowerCase()}`;
      if (seen.has(key)) {
        throw configError(`two routes answer ${entry.route.method} ${entry.route.path}`);
      }
      seen.add(key);
      return { ...entry, ...compiled };
    });
  }

  /** The route of a request, the OPTIONS answer of its path, or a 404 `No route ...` error. */
  match(method: string, path: string): Match {
    // Made only when a path matches another method: the common hit allocates nothing extra.
    let allowed: Set<string> | undefined;
    const wanted = method === 'HEAD' ? 'GET' : method;
    for (const entry of this.#entries) {
      const found = entry.pattern.exec(path);
      if (!found) continue;
      if (entry.route.method === wanted) {
        const rawParams: Record<string, string> = {};
        entry.names.forEach((name, i) => (rawParams[name] = found[i + 1]!));
        return { kind: 'route', entry, rawParams };
      }
      allowed ??= new Set<string>();
      allowed.add(entry.route.method);
      if (entry.route.method === 'GET') allowed.add('HEAD');
    }
    if (method === 'OPTIONS' && allowed) {
      return { kind: 'options', allow: [...allowed].sort().join(', ') };
    }
    throw notFound(`No route ${method} ${path}`);
  }
}

/** Percent-decodes path parameters; a bad escape is a 400 naming the raw segment. */
export function decodeParams(raw: Record<string, string>): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    try {
      params[name] = decodeURIComponent(value);
    } catch {
      throw new NewServiceError(
        'bad_request',
        `path: Failed to decode param '${value}' (invalid percent-encoding)`,
      );
    }
  }
  return params;
}

/** The pathname and raw query of a request target, as express's `parseurl` splits it. */
export function splitTarget(target: string): { path: string; query: string } {
  if (!target.startsWith('/') && /^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
    // absolute-form (a request through a forward proxy): route on its path
    try {
      const url = new URL(target);
      return { path: url.pathname, query: url.search.slice(1) };
    } catch {
      return { path: target, query: '' };
    }
  }
  const hash = target.indexOf('#');
  const end = hash < 0 ? target.length : hash;
  const mark = target.indexOf('?');
  if (mark >= 0 && mark < end) {
    return { path: target.slice(0, mark), query: target.slice(mark + 1, end) };
  }
  return { path: target.slice(0, end), query: '' };
}
