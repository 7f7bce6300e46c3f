import { z } from 'zod';
import { deterministicEventId } from '../ids.js';
import { loose } from './loose-catalog.js';
import type {
  AnyCatalog,
  AnyEventDefinition,
  EventEnvelope,
  KafkaIncomingMessage,
  KafkaOutgoingMessage,
} from '../types.js';

/** Envelope attributes of generated fixtures: fixed, so a snapshot taken twice is identical. */
const FIXTURE_SOURCE = '/strangler-schemas/fixtures';
const FIXTURE_TIME = '2024-01-01T00:00:00Z';

/**
 * The definition's `example` as the Kafka message a producer of that version wrote (binary mode:
 * key, JSON value, `ce_*` headers). A current version goes through `createEvent`; an older one,
 * which producers no longer create, through an envelope built here, encoded by the same codec.
 */
export function exampleMessage(
  catalog: AnyCatalog,
  definition: AnyEventDefinition,
): KafkaOutgoingMessage {
  const attributes = {
    id: deterministicEventId(FIXTURE_SOURCE, definition.type, 0),
    source: FIXTURE_SOURCE,
    time: FIXTURE_TIME,
  };
  if (catalog.currentOf(definition.type) === definition) {
    const { createEvent, toKafkaMessage } = loose(catalog);
    return toKafkaMessage(createEvent(definition.type, definition.example, attributes));
  }
  const key = definition.aggregateId(definition.example);
  const envelope: EventEnvelope = {
    specversion: '1.0',
    ...attributes,
    type: definition.type,
    subject: key,
    datacontenttype: 'application/json',
    partitionkey: key,
    data: definition.example,
  };
  return loose(catalog).toKafkaMessage(envelope);
}

/**
 * A golden fixture file: a Kafka message as it was on the topic. `value` is the exact JSON text;
 * a JSON object is accepted too (for fixtures written by hand) and encoded with JSON.stringify.
 */
const fixtureFile = z
  .object({
    description: z.string().optional(),
    key: z.string().nullable().optional(),
    value: z.union([z.string(), z.null(), z.record(z.string(), z.unknown())]),
    headers: z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional(),
  })
  .strict();

/** A fixture file's content as a kafkajs-like message, or why it is not one. */
export function fixtureMessage(
  content: unknown,
): { ok: true; message: KafkaIncomingMessage } | { ok: false; reason: string } {
  const parsed = fixtureFile.safeParse(content);
  if (!parsed.success) {
    const reason = parsed.error.issues
      .map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`)
      .join('; ');
    return {
      ok: false,
      reason: `not a fixture { key, value, headers } (${reason})`,
    };
  }
  const { key, value, headers } = parsed.data;
  return {
    ok: true,
    message: {
      key: key ?? null,
      value: typeof value === 'object' && value !== null ? JSON.stringify(value) : value,
      headers: headers ?? {},
    },
  };
}
