import { preview } from '../issues.js';
import type { EventIssue, KafkaIncomingMessage } from '../types.js';
import { decodeText } from './headers.js';

// Reading a message value and judging its content type: the byte-level half of the decoder.

type JsonRead = { ok: true; value: unknown } | { ok: false; issue: EventIssue };

/** The value as JSON, or the issue that says why it is not (tombstone, bad UTF-8, bad JSON). */
export function readJson(value: KafkaIncomingMessage['value'], what: string): JsonRead {
  if (value === null || value === undefined) {
    return {
      ok: false,
      issue: {
        path: 'value',
        code: 'missing_value',
        message: `is empty (a tombstone?) but must carry ${what}`,
      },
    };
  }
  const text = decodeText(value);
  if (text === undefined)
    return {
      ok: false,
      issue: { path: 'value', code: 'invalid_encoding', message: 'is not valid UTF-8' },
    };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return {
      ok: false,
      issue: {
        path: 'value',
        code: 'invalid_json',
        message: `is not valid JSON (starts with ${preview(text.slice(0, 20))})`,
      },
    };
  }
}

/** The issue for a content type the decoder will not guess at. */
export function unsupported(contentType: string, rule: string): EventIssue {
  return {
    path: 'headers.content-type',
    code: 'unsupported_content_type',
    message: `${preview(contentType)} is not supported: ${rule}`,
  };
}

/** `Application/JSON; charset=utf-8` -> `application/json`. */
export function mediaType(contentType: string): string {
  return contentType.split(';', 1)[0]!.trim().toLowerCase();
}

/** True without a charset or with UTF-8: JSON is UTF-8 (RFC 8259); a charset parameter naming anything else is refused, not guessed at. */
export function isUtf8Charset(contentType: string): boolean {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType)?.[1];
  return charset === undefined || /^utf-?8$/i.test(charset);
}
