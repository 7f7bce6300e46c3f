import type { CatalogIndex } from '../catalog.js';
import { resolveEvent } from '../parse.js';
import type { KafkaIncomingMessage, ParseResult } from '../types.js';
import { fromKafkaMessage } from './decode.js';

/**
 * {@link fromKafkaMessage} then the catalog step of parsing: a kafkajs message in, a typed event
 * in its current version (or the reason to dead-letter it, with any of the five codes) out.
 */
export function parseKafkaMessageIn(
  catalog: CatalogIndex,
  message: KafkaIncomingMessage,
): ParseResult {
  const decoded = fromKafkaMessage(message);
  // The decoder has checked the envelope already; only the catalog step is left.
  return decoded.ok ? resolveEvent(catalog, decoded.event) : decoded;
}
