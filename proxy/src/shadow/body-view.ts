import type { BodyView } from '../types.js';
import type { Answer } from './compare/compare.js';

/** Bytes of each body kept with a mismatch for people to read; the rest is cut. */
export const BODY_VIEW_BYTES = 8192;

/**
 * An answer's decoded body as the dashboard shows it beside the other side's: text up to
 * `BODY_VIEW_BYTES` (a multi-byte character cut at the end is dropped), or only its size when
 * it is not text.
 */
export function bodyView(answer: Answer): BodyView {
  const type = answer.headers['content-type'];
  const contentType = Array.isArray(type) ? type[0] : type;
  const bytes = answer.body.length;
  const base = { bytes, ...(contentType ? { contentType } : {}) };
  const head = answer.body.subarray(0, BODY_VIEW_BYTES);
  let text = head.toString('utf8');
  const truncated = bytes > BODY_VIEW_BYTES;
  if (truncated) text = text.replace(/\ufffd+$/, '');
  if (text.includes('\ufffd')) return base;
  return { ...base, text, ...(truncated ? { truncated: true as const } : {}) };
}
