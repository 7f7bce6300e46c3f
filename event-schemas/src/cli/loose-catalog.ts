import type {
  AnyCatalog,
  CreateEventAttributes,
  EventEnvelope,
  KafkaIncomingMessage,
  KafkaOutgoingMessage,
  ParseResult,
} from '../types.js';

/**
 * A catalog seen by tools that handle any event type: its typed functions narrow to `never` for
 * an arbitrary catalog, so the tools call them through these plain signatures.
 */
export interface LooseCatalog {
  createEvent(type: string, data: unknown, attributes: CreateEventAttributes): EventEnvelope;
  parseKafkaMessage(message: KafkaIncomingMessage): ParseResult<EventEnvelope>;
  toKafkaMessage(event: EventEnvelope): KafkaOutgoingMessage;
}

export function loose(catalog: AnyCatalog): LooseCatalog {
  return catalog as unknown as LooseCatalog;
}
