/** How a body is compared: JSON structurally, text by lines, anything else by hash. */
export type BodyKind = 'json' | 'text' | 'binary';

function mediaType(contentType: string | string[] | undefined): string {
  const value = Array.isArray(contentType) ? (contentType[0] ?? '') : (contentType ?? '');
  return (value.split(';')[0] ?? '').trim().toLowerCase();
}

/** The comparison a content type calls for. */
export function bodyKind(contentType: string | string[] | undefined): BodyKind {
  const type = mediaType(contentType);
  if (type === 'application/json' || type.endsWith('+json') || type === 'text/json') return 'json';
  if (
    type.startsWith('text/') ||
    type.endsWith('+xml') ||
    type === 'application/xml' ||
    type === 'application/javascript' ||
    type === 'application/x-www-form-urlencoded'
  ) {
    return 'text';
  }
  return 'binary';
}

/**
 * True for responses that are streams rather than documents: server-sent events, NDJSON feeds,
 * multipart streams and downloads. They are passed through and never compared.
 */
export function isStreaming(headers: Record<string, string | string[] | undefined>): boolean {
  const type = mediaType(headers['content-type']);
  if (
    type === 'text/event-stream' ||
    type === 'application/x-ndjson' ||
    type === 'application/octet-stream' ||
    type.startsWith('multipart/') ||
    type.startsWith('video/') ||
    type.startsWith('audio/')
  ) {
    return true;
  }
  const disposition = headers['content-disposition'];
  const d = Array.isArray(disposition) ? disposition.join(';') : (disposition ?? '');
  return /^\s*attachment/i.test(d);
}

/** Whether a request asks for a stream (an event source), so it is not even captured. */
export function acceptsStream(accept: string | string[] | undefined): boolean {
  const value = Array.isArray(accept) ? accept.join(',') : (accept ?? '');
  return value.includes('text/event-stream');
}

export { mediaType };
