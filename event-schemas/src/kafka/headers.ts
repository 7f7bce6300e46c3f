import { isUtf8 } from 'node:buffer';
import type { EventIssue, KafkaHeaderValue } from '../types.js';

/** Header prefix of CloudEvents attributes in binary mode (Kafka protocol binding 3.2.3.1). */
export const ATTRIBUTE_PREFIX = 'ce_';
export const CONTENT_TYPE = 'content-type';

/** The CloudEvents-relevant headers of a message, decoded to strings. */
export interface CloudEventHeaders {
  /** `ce_<name>` headers by attribute name (prefix removed, case kept). */
  attributes: Map<string, string>;
  /** The `content-type` header (matched case-insensitively), if any. */
  contentType: string | undefined;
}

/** Bytes or a string as text; undefined when the bytes are not UTF-8 (never U+FFFD guesses). */
export function decodeText(value: Uint8Array | string): string | undefined {
  if (typeof value === 'string') return value;
  // isUtf8 + toString is several times faster than a fatal TextDecoder on short header values.
  if (!isUtf8(value)) return undefined;
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
}

/**
 * Reads `ce_*` and `content-type` from kafkajs headers (Buffers, strings, or arrays when a name
 * repeats) and ignores every other header, so a foreign header with odd bytes cannot make an
 * event unreadable. A repeated CloudEvents header is refused: which copy is right is unknowable.
 */
export function readHeaders(
  headers: Record<string, KafkaHeaderValue> | undefined,
): CloudEventHeaders | EventIssue[] {
  const attributes = new Map<string, string>();
  let contentType: string | undefined;
  let contentTypeSeen = 0;
  const issues: EventIssue[] = [];
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const isContentType = name.toLowerCase() === CONTENT_TYPE;
    if (!isContentType && !name.startsWith(ATTRIBUTE_PREFIX)) continue;
    const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    if (values.length === 0) continue;
    const path = `headers.${name}`;
    if (isContentType) contentTypeSeen += values.length;
    const count = isContentType ? contentTypeSeen : values.length;
    if (count > 1) {
      issues.push({
        path,
        code: 'duplicate_header',
        message: `appears ${count} times; expected once`,
      });
      continue;
    }
    const text = decodeText(values[0]!);
    if (text === undefined) {
      issues.push({ path, code: 'invalid_encoding', message: 'is not valid UTF-8' });
      continue;
    }
    if (isContentType) contentType = text;
    else attributes.set(name.slice(ATTRIBUTE_PREFIX.length), text);
  }
  return issues.length > 0 ? issues : { attributes, contentType };
}
