import type { IncomingHttpHeaders } from 'node:http';
import type { ProxyConfig } from '../types.js';
import type { PathPattern } from './pattern.js';

/** Where a canary key is read from. */
export interface StickySource {
  kind: 'header' | 'cookie' | 'query' | 'param';
  name: string;
  /** Cookie only: mint a key when the cookie is missing. */
  assign: boolean;
  /** `cookie:strangler-id`, for views and logs. */
  label: string;
}

export function stickySource(config: ProxyConfig['sticky']): StickySource {
  if ('header' in config)
    return {
      kind: 'header',
      name: config.header.toLowerCase(),
      assign: false,
      label: `header:${config.header}`,
    };
  if ('cookie' in config)
    return {
      kind: 'cookie',
      name: config.cookie,
      assign: config.assign,
      label: `cookie:${config.cookie}`,
    };
  if ('query' in config)
    return { kind: 'query', name: config.query, assign: false, label: `query:${config.query}` };
  return { kind: 'param', name: config.param, assign: false, label: `param:${config.param}` };
}

/** The value of one cookie in a Cookie header, without parsing the others. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1 || part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    const unquoted = value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
    try {
      return decodeURIComponent(unquoted);
    } catch {
      return unquoted;
    }
  }
  return undefined;
}

/** Reads the sticky key of a request; undefined when the request carries none. */
export function readStickyKey(
  source: StickySource,
  request: { url: string; headers: IncomingHttpHeaders },
  path: string,
  pattern: PathPattern,
): string | undefined {
  let value: string | undefined;
  switch (source.kind) {
    case 'header': {
      const v = request.headers[source.name];
      value = Array.isArray(v) ? v[0] : v;
      break;
    }
    case 'cookie':
      value = readCookie(request.headers.cookie, source.name);
      break;
    case 'query': {
      const q = request.url.indexOf('?');
      value =
        q === -1
          ? undefined
          : (new URLSearchParams(request.url.slice(q + 1)).get(source.name) ?? undefined);
      break;
    }
    case 'param':
      value = pattern.match(path)?.[source.name];
      break;
    default: {
      const _exhaustive: never = source.kind;
      return _exhaustive;
    }
  }
  return value === undefined || value === '' ? undefined : value;
}
