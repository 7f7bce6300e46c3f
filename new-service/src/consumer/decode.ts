import type { ExtensionValue } from '@strangler/event-schemas';
import type { RawMessage } from '../postgres/raw-message.js';
import type { AnyConsumer, DeadLetterReason, EventIdentity, MessagePosition } from '../types.js';

/** What the consumer's catalog made of a message: an event to handle, or why it never will be. */
export type Decoded =
  | {
      ok: true;
      event: { type: string; source: string; id: string };
      identity: EventIdentity;
      extensions: Record<string, ExtensionValue>;
      upcastFrom?: string;
    }
  | { ok: false; identity?: EventIdentity; reason: DeadLetterReason };

/** A Kafka message of one partition, with its decoding. */
export interface IncomingMessage {
  position: MessagePosition;
  message: RawMessage;
  decoded: Decoded;
}

/** Decodes, validates and upcasts a message with the consumer's catalog. */
export function decode(consumer: AnyConsumer, message: RawMessage): Decoded {
  const parsed = consumer.catalog.parseKafkaMessage(message);
  if (!parsed.ok) {
    const { error } = parsed;
    const { eventId, eventSource, eventType } = error.details;
    // The identity of an event whose data is invalid still goes to the inbox, so a redelivery of
    // it is recognised instead of dead-lettered twice.
    const identity =
      eventId !== undefined && eventSource !== undefined
        ? { id: eventId, source: eventSource, type: eventType ?? 'unknown' }
        : undefined;
    return {
      ok: false,
      reason: { code: error.code, message: error.message, details: error.toJSON() },
      ...(identity ? { identity } : {}),
    };
  }
  const { event, extensions, upcastFrom } = parsed as {
    event: { type: string; source: string; id: string };
    extensions: Record<string, ExtensionValue>;
    upcastFrom?: string;
  };
  return {
    ok: true,
    event,
    identity: { source: event.source, id: event.id, type: upcastFrom ?? event.type },
    extensions,
    ...(upcastFrom === undefined ? {} : { upcastFrom }),
  };
}

/** The fields of a kafkajs message the kit reads. */
export interface KafkaMessageLike {
  key: Buffer | null;
  value: Buffer | null;
  headers?: RawMessage['headers'];
  timestamp?: string;
  offset: string;
}

export function incoming(
  consumer: AnyConsumer,
  partition: number,
  message: KafkaMessageLike,
): IncomingMessage {
  const raw: RawMessage = {
    key: message.key,
    value: message.value,
    headers: message.headers ?? {},
    ...(message.timestamp === undefined ? {} : { timestamp: message.timestamp }),
  };
  return {
    position: { topic: consumer.topic, partition, offset: message.offset },
    message: raw,
    decoded: decode(consumer, raw),
  };
}
