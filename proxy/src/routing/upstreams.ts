import type { ProxyConfig } from '../types.js';

/** An upstream with every option resolved. */
export interface UpstreamSpec {
  name: string;
  url: string;
  /** `http://host:port` */
  origin: string;
  /** Path prefix of the upstream URL ('' when none). */
  basePath: string;
  connections: number;
  preserveHost: boolean;
  connectTimeout: number;
  responseTimeout: number;
  idleTimeout: number;
  /** Asked before clients are switched to this upstream. */
  readiness?: { url: string; require?: string; timeoutMs: number };
  /** Equal keys mean a connection pool can be reused across reloads. */
  key: string;
}

/** An upstream's options, with the top-level timeouts filling what it leaves out. */
export function resolveUpstream(name: string, config: ProxyConfig): UpstreamSpec {
  const t = config.timeouts;
  const raw = config.upstreams[name];
  // Embedded mode may have no legacy upstream: the host app itself is legacy, nothing is sent.
  const spec = typeof raw === 'string' || raw === undefined ? { url: raw ?? '' } : raw;
  const url = spec.url ? new URL(spec.url) : undefined;
  const out: UpstreamSpec = {
    name,
    url: spec.url,
    origin: url ? url.origin : '',
    basePath: url && url.pathname !== '/' ? url.pathname.replace(/\/$/, '') : '',
    connections: 'connections' in spec ? spec.connections : 256,
    preserveHost: 'preserveHost' in spec ? spec.preserveHost : true,
    connectTimeout: ('timeouts' in spec ? spec.timeouts?.connect : undefined) ?? t.connect,
    responseTimeout: ('timeouts' in spec ? spec.timeouts?.response : undefined) ?? t.response,
    idleTimeout: ('timeouts' in spec ? spec.timeouts?.idle : undefined) ?? t.idle,
    key: '',
  };
  if ('readiness' in spec && spec.readiness && url) {
    const r = spec.readiness;
    out.readiness = {
      url: out.origin + out.basePath + r.path,
      ...(r.require ? { require: r.require } : {}),
      timeoutMs: r.timeout,
    };
  }
  out.key = JSON.stringify([out.origin, out.connections, out.connectTimeout]);
  return out;
}
