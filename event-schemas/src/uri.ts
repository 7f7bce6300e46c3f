// RFC 3986 syntax checks for the CloudEvents `source` (URI-reference) and `dataschema` (URI).
// WHATWG `new URL()` is no help here: it repairs spaces and backslashes instead of refusing them,
// and it cannot parse a relative reference such as `/legacy/postgres/shop` on its own.

/** RFC 3986 appendix B: scheme, authority, path, query, fragment. */
const PARTS = /^(?:([^:/?#]+):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/;
const PCT = String.raw`%[0-9A-Fa-f]{2}`;
const PCHAR = String.raw`A-Za-z0-9\-._~!$&'()*+,;=:@`;
const AUTHORITY = new RegExp(String.raw`^(?:[${PCHAR}\[\]]|${PCT})*$`);
const PATH = new RegExp(String.raw`^(?:[${PCHAR}/]|${PCT})*$`);
const QUERY_OR_FRAGMENT = new RegExp(String.raw`^(?:[${PCHAR}/?]|${PCT})*$`);

interface UriParts {
  scheme: string | undefined;
  authority: string | undefined;
  path: string;
  query: string | undefined;
  fragment: string | undefined;
}

/** True for an RFC 3986 URI-reference: an absolute URI or a relative reference. */
export function isUriReference(value: string): boolean {
  return parse(value) !== undefined;
}

/** True for an RFC 3986 URI: a URI-reference with a scheme. */
export function isAbsoluteUri(value: string): boolean {
  return parse(value)?.scheme !== undefined;
}

function parse(value: string): UriParts | undefined {
  const match = PARTS.exec(value);
  if (!match) return undefined;
  const [, scheme, authority, path = '', query, fragment] = match;
  // Without a valid scheme, a colon in the first segment makes the string neither a URI nor a
  // relative reference (RFC 3986 section 4.2, path-noscheme).
  if (scheme !== undefined && !SCHEME.test(scheme)) return undefined;
  if (authority !== undefined && !AUTHORITY.test(authority)) return undefined;
  // With an authority, the path must be empty or start with a slash; without one it must not
  // start with `//` (that would read as an authority).
  if (authority !== undefined && path !== '' && !path.startsWith('/')) return undefined;
  if (!PATH.test(path)) return undefined;
  if (query !== undefined && !QUERY_OR_FRAGMENT.test(query)) return undefined;
  if (fragment !== undefined && !QUERY_OR_FRAGMENT.test(fragment)) return undefined;
  return { scheme, authority, path, query, fragment };
}
