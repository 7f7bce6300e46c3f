import type { TableSettings, UpstreamSpec } from '../routing/table.js';

/** Headers meaningful for one connection only (RFC 9110 7.6.1), never forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authenticate',
  'proxy-authorization',
  'http2-settings',
  // Node answers `Expect: 100-continue` itself; undici refuses to send it.
  'expect',
]);

/** True for headers that must not cross the proxy (lower-case name). */
export function isHopByHop(lowerName: string): boolean {
  return HOP_BY_HOP.has(lowerName);
}

const CONNECTION_OPTIONS = new Set(['keep-alive', 'close', 'upgrade']);

/** What one pass over the client's raw headers found. */
export interface ScannedHeaders {
  /** End-to-end headers to pass on as they came (flat name/value list). */
  pass: string[];
  host?: string;
  forwardedFor?: string;
  forwardedProto?: string;
  forwardedHost?: string;
  forwarded?: string;
  override?: string;
  requestId?: string;
  /** The client's Upgrade header, kept for websocket forwarding. */
  upgrade?: string;
  /** True when the request announces a body (Content-Length > 0 or Transfer-Encoding). */
  hasBody: boolean;
  /** The Content-Length, when the request has one (Node refuses it beside Transfer-Encoding). */
  contentLength?: number;
}

function connectionTokens(value: string): string[] {
  // The usual values name no extra header: skip the split on the hot path.
  if (value.length <= 10 && CONNECTION_OPTIONS.has(value.toLowerCase())) return [];
  return value
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t !== '' && !CONNECTION_OPTIONS.has(t));
}

/**
 * Sorts the client's headers in one pass: hop-by-hop ones (and any the Connection header names)
 * dropped, the proxy's own (override, forwarding, host) set aside, the rest passed on.
 */
export function scanRequestHeaders(raw: string[], settings: TableSettings): ScannedHeaders {
  const scan: ScannedHeaders = { pass: [], hasBody: false };
  let dropped: string[] | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower)) {
      if (lower === 'connection') dropped = connectionTokens(value);
      else if (lower === 'upgrade') scan.upgrade = value;
      else if (lower === 'transfer-encoding') scan.hasBody = true;
      continue;
    }
    switch (lower) {
      case 'content-length':
        if (value !== '0') scan.hasBody = true;
        scan.contentLength = Number(value);
        scan.pass.push(name, value);
        break;
      case 'host':
        scan.host = value;
        break;
      case 'x-forwarded-for':
        scan.forwardedFor =
          scan.forwardedFor === undefined ? value : `${scan.forwardedFor}, ${value}`;
        break;
      case 'x-forwarded-proto':
        scan.forwardedProto = value;
        break;
      case 'x-forwarded-host':
        scan.forwardedHost = value;
        break;
      case 'forwarded':
        scan.forwarded = scan.forwarded === undefined ? value : `${scan.forwarded}, ${value}`;
        break;
      default:
        if (lower === settings.overrideHeader) scan.override = value;
        else {
          if (lower === settings.requestIdHeader) scan.requestId = value;
          scan.pass.push(name, value);
        }
    }
  }
  if (dropped && dropped.length > 0) {
    const drop = new Set(dropped);
    const kept: string[] = [];
    for (let i = 0; i < scan.pass.length; i += 2) {
      if (!drop.has((scan.pass[i] as string).toLowerCase()))
        kept.push(scan.pass[i] as string, scan.pass[i + 1] as string);
    }
    scan.pass = kept;
  }
  return scan;
}

function forwardedNode(ip: string): string {
  return ip.includes(':') ? `"[${ip}]"` : ip;
}

/** Strips the IPv4-mapped prefix Node reports on dual-stack sockets. */
export function clientAddress(address: string | undefined): string {
  if (!address) return 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/**
 * The headers sent upstream: the passed-on ones plus Host, X-Forwarded-For/-Proto/-Host,
 * Forwarded (RFC 7239) and a generated request id. Client-sent forwarding headers are replaced
 * unless `trustForwardedHeaders`, in which case ours are appended to theirs.
 */
export function upstreamHeaders(
  scan: ScannedHeaders,
  context: {
    settings: TableSettings;
    upstream: UpstreamSpec;
    clientIp: string;
    proto: 'http' | 'https';
    generatedRequestId?: string;
  },
): string[] {
  const { settings, upstream } = context;
  // Appended in place: a scan serves one request, so its list can become the upstream's.
  const out = scan.pass;
  if (upstream.preserveHost && scan.host) out.push('host', scan.host);
  forwardingHeaders(scan, settings.trustForwardedHeaders, context.clientIp, context.proto, out);
  if (context.generatedRequestId) out.push(settings.requestIdHeader, context.generatedRequestId);
  return out;
}

/**
 * Appends X-Forwarded-For/-Proto/-Host and Forwarded to `out`: the client's values are replaced,
 * or (when trusted) extended with ours. Shared by the engine and the express middleware.
 */
export function forwardingHeaders(
  received: Pick<
    ScannedHeaders,
    'host' | 'forwardedFor' | 'forwardedProto' | 'forwardedHost' | 'forwarded'
  >,
  trust: boolean,
  clientIp: string,
  proto: 'http' | 'https',
  out: string[],
): string[] {
  const host = received.host ?? '';
  out.push(
    'x-forwarded-for',
    trust && received.forwardedFor ? `${received.forwardedFor}, ${clientIp}` : clientIp,
  );
  out.push('x-forwarded-proto', trust && received.forwardedProto ? received.forwardedProto : proto);
  const xfHost = trust && received.forwardedHost ? received.forwardedHost : host;
  if (xfHost) out.push('x-forwarded-host', xfHost);
  const element = `for=${forwardedNode(clientIp)};proto=${proto}${host ? `;host="${host.replace(/["\\]/g, '')}"` : ''}`;
  out.push(
    'forwarded',
    trust && received.forwarded ? `${received.forwarded}, ${element}` : element,
  );
  return out;
}

/** The upstream's response headers without hop-by-hop ones, as a flat name/value list. */
export function responseHeaders(raw: Buffer[] | string[] | null): string[] {
  const out: string[] = [];
  if (!raw) return out;
  let dropped: string[] | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1');
    const value = raw[i + 1]!.toString('latin1');
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower)) {
      if (lower === 'connection') dropped = connectionTokens(value);
      continue;
    }
    out.push(name, value);
  }
  if (!dropped || dropped.length === 0) return out;
  const drop = new Set(dropped);
  const kept: string[] = [];
  for (let i = 0; i < out.length; i += 2) {
    if (!drop.has((out[i] as string).toLowerCase()))
      kept.push(out[i] as string, out[i + 1] as string);
  }
  return kept;
}
