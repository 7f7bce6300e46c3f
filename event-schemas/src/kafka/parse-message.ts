import { resolveEvent } from '../parse.js';
import type { KafkaIncomingMessage, ParseResult } from '../types.js';
import { fromKafkaMessage } from './decode.js';

/**
 * {@link fromKafkaMessage} then {@link parseEvent}: a kafkajs message in, a typed domain event (or
 * the reason to dead-letter it, with any of the five codes) out. What a consumer's `eachMessage`
 * calls.
 */
export function parseKafkaMessage(message: KafkaIncomingMessage): ParseResult {
  const decoded = fromKafkaMessage(message);
  // The decoder has checked the envelope already; only the catalog step is left.
  return decoded.ok ? resolveEvent(decoded.event) : decoded;
}
