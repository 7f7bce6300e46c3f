import { parse as parseQuery } from 'node:querystring';
import { NewServiceError, notFound } from '../../errors.js';

// Routing the way the legacy monolith's express 5 router does it, so edge cases answer alike:
// case-insensitive paths, one optional trailing slash, parameters matched undecoded and then
// percent-decoded (a bad escape is a 400), queries parsed by node:querystring.

const AVAILABILITY = /^\/products\/([^/]+)\/availability\/?$/i;

export type Route =
  | { name: 'availability'; sku: string; qty: unknown }
  | { name: 'healthz' }
  | { name: 'status' }
  /** express answers OPTIONS on a known path itself, listing the methods it serves. */
  | { name: 'options'; allow: string };

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

/** The route of a request, or a 404 `No route ...` error. */
export function route(method: string, target: string): Route {
  const { path, query } = splitTarget(target);
  if (method === 'OPTIONS') {
    if (AVAILABILITY.test(path) || path === '/healthz' || path === '/status') {
      return { name: 'options', allow: 'GET, HEAD' };
    }
  } else if (method === 'GET' || method === 'HEAD') {
    const match = AVAILABILITY.exec(path);
    if (match) {
      return {
        name: 'availability',
        sku: decodeParam(match[1] ?? ''),
        qty: query === '' ? undefined : parseQuery(query).qty,
      };
    }
    if (path === '/healthz') return { name: 'healthz' };
    if (path === '/status') return { name: 'status' };
  }
  throw notFound(`No route ${method} ${path}`);
}

function decodeParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new NewServiceError(
      'bad_request',
      `path: Failed to decode param '${raw}' (invalid percent-encoding)`,
    );
  }
}
