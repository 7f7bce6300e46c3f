import type { z } from 'zod';
import type { EventSchemaError } from './errors.js';

// ---------------------------------------------------------------------------------------------
// Envelope
// ---------------------------------------------------------------------------------------------

/** Value of a CloudEvents extension attribute this package does not know (JSON format types). */
export type ExtensionValue = string | number | boolean;

/**
 * A CloudEvents 1.0 event as this package produces it: the context attributes, our extension
 * attributes and the JSON `data`. Every value is JSON (no `Date`), so the object can be stored,
 * logged or exported to JSON Schema as it is.
 */
export interface EventEnvelope<TType extends string = string, TData = unknown> {
  /** CloudEvents version. Always `"1.0"`. */
  specversion: '1.0';
  /**
   * Unique per `source`: `source` + `id` is the deduplication key. For captured changes it is
   * {@link deterministicEventId} of the source position, so a replay carries the same ids.
   */
  id: string;
  /** Who produced the event, as a non-empty RFC 3986 URI-reference, e.g. `/legacy/postgres/shop`. */
  source: string;
  /** Reverse-DNS event type with the schema version as suffix, e.g. `com.example.bank.account_opened.v1`. */
  type: TType;
  /** The aggregate the event is about (e.g. an account or order id). Set by {@link createEvent}. */
  subject?: string;
  /** When the change happened (the source commit time), RFC 3339 with an offset, e.g. `2024-05-01T12:00:00.000Z`. */
  time: string;
  /** Media type of `data`. Always `application/json`. */
  datacontenttype: 'application/json';
  /** Absolute URI of the schema `data` adheres to. Optional. */
  dataschema?: string;
  /**
   * Extension (CloudEvents Partitioning): the Kafka message key, equal to the aggregate id, so
   * every event of one aggregate (one account, one order) lands on one partition in order.
   */
  partitionkey: string;
  /**
   * Extension: where in the source the change came from, e.g. the Postgres commit LSN `0/16B3748`.
   * Opaque to consumers; useful to find the change again and to trace replays.
   */
  sourceposition?: string;
  /** Extension: the source transaction id (Postgres xid), when known. */
  sourcetx?: string;
  /** Extension: the `id` of the event or command that caused this event. */
  causationid?: string;
  /** Extension: an id shared by every event of one business flow (e.g. a request id). */
  correlationid?: string;
  /** The event's payload (flat JSON object, validated against the catalog). */
  data: TData;
}

/**
 * A CloudEvent in JSON format as it arrives, before its `type` is looked up in the catalog:
 * the known attributes are validated; extension attributes this package does not know are kept
 * as they are; `data` is not checked yet.
 */
export interface CloudEvent extends Omit<
  EventEnvelope<string, unknown>,
  'datacontenttype' | 'partitionkey'
> {
  /** Any JSON media type (`application/json`, `...+json`), with parameters; absent means JSON. */
  datacontenttype?: string;
  /** Absent when neither the event nor the Kafka key carried one; {@link parseEvent} fills it. */
  partitionkey?: string;
  /** Unknown extension attributes, e.g. `traceparent`. */
  [extension: string]: unknown;
}

// ---------------------------------------------------------------------------------------------
// Event definitions and catalogs
// ---------------------------------------------------------------------------------------------

/**
 * One event type in one version, made by {@link defineEvent}. A catalog keeps every version ever
 * published, so old events stay readable; the exports (JSON Schema, AsyncAPI, markdown) and the
 * compatibility check read these entries.
 *
 * `TSupersedes` is the `type` of the version this one replaces (type-level only), so a catalog
 * knows which versions are current without comparing numbers.
 */
export interface EventDefinition<
  TType extends string = string,
  TData extends object = object,
  TName extends string = string,
  TSupersedes extends string = never,
> {
  /** Full CloudEvents `type`, reverse-DNS ending in `.v<version>`, e.g. `com.example.bank.account_opened.v1`. */
  readonly type: TType;
  /** Versionless PascalCase name, e.g. `AccountOpened`; the versions of one event share it. */
  readonly name: TName;
  /** Schema version, an integer >= 1, equal to the `.v<n>` suffix of `type`. */
  readonly version: number;
  /** The aggregate whose id keys the event (Kafka key, `subject`, `partitionkey`), e.g. `Account`. */
  readonly aggregate: string;
  /** One sentence: what happened. Goes into the generated documentation. */
  readonly description: string;
  /**
   * The reader schema of `data`: unknown fields are dropped, so a consumer keeps working when a
   * producer adds an optional field.
   */
  readonly schema: z.ZodObject & z.ZodType<TData>;
  /** The writer schema of `data`: like `schema`, but unknown fields are refused. */
  readonly strictSchema: z.ZodType<TData>;
  /** The aggregate id of an event's data. */
  readonly aggregateId: (data: TData) => string;
  /** A valid `data`, for documentation, golden fixtures and tests. */
  readonly example: TData;
  /** The version this one replaces, whose events {@link upcast} lifts to this shape. */
  readonly previous: AnyEventDefinition | undefined;
  /** Turns the (validated) data of {@link previous} into data of this version. */
  readonly upcast: ((previous: never) => unknown) | undefined;
  /** Type-level only: the `type` of {@link previous}. Never set at run time. */
  readonly '~supersedes'?: TSupersedes;
}

/** Any event definition, whatever its data (what catalogs and tools accept). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyEventDefinition = EventDefinition<string, any, string, string>;

/** The `type`s replaced by a later version among the definitions `D`. */
type SupersededTypes<D extends AnyEventDefinition> = D extends unknown
  ? NonNullable<D['~supersedes']>
  : never;

type CurrentAmong<D, S> = D extends AnyEventDefinition ? (D['type'] extends S ? never : D) : never;

/** The definitions among `D` no later version replaces: what producers create and consumers get. */
export type CurrentDefinitions<D extends AnyEventDefinition> = CurrentAmong<D, SupersededTypes<D>>;

/** The `data` type of a definition. */
export type DataOfDefinition<D extends AnyEventDefinition> = D['example'];

/** The envelope type of one definition. */
export type EventOfDefinition<D extends AnyEventDefinition> = D extends unknown
  ? EventEnvelope<D['type'], DataOfDefinition<D>>
  : never;

/** What a catalog made by {@link defineCatalog} offers, typed by its definitions. */
export interface Catalog<D extends AnyEventDefinition = AnyEventDefinition> {
  /** The catalog's name, for generated documents (`defineCatalog(events, { name })`). */
  readonly name: string;
  /** One paragraph about the catalog, for generated documents. */
  readonly description: string;
  /** Every definition, every version, in the order given. */
  readonly definitions: readonly D[];
  /** The current (latest) definition of each event, by name. */
  readonly current: {
    readonly [N in CurrentDefinitions<D>['name']]: Extract<CurrentDefinitions<D>, { name: N }>;
  };
  /** The current `type` of each event, by name, literal-typed for `case catalog.types.AccountOpened:`. */
  readonly types: {
    readonly [N in CurrentDefinitions<D>['name']]: Extract<
      CurrentDefinitions<D>,
      { name: N }
    >['type'];
  };
  /** The definition of a `type` (any version), or undefined when the catalog does not know it. */
  find(type: string): D | undefined;
  /** The current definition of the event a `type` (any version) belongs to. */
  currentOf(type: string): D | undefined;
  /**
   * Builds and validates a current-version event as a producer must: `data` against the writer
   * schema (unknown fields refused), the envelope strictly; `subject` and `partitionkey` are the
   * aggregate id. The result is frozen.
   *
   * @throws EventSchemaError `UNKNOWN_TYPE`, `INVALID_DATA`, `INVALID_ENVELOPE` or `INVALID_ARGUMENT`.
   */
  createEvent<T extends CurrentDefinitions<D>['type']>(
    type: T,
    data: DataOfDefinition<Extract<D, { type: T }>>,
    attributes: CreateEventAttributes,
  ): Extract<EventOfDefinition<CurrentDefinitions<D>>, { type: T }>;
  /**
   * Validates a CloudEvent in JSON format (from a dead-letter row, an outbox, a file) against the
   * envelope rules and this catalog. An older version is upcast to the current one. Never throws
   * for bad input.
   */
  parseEvent(input: unknown): ParseResult<EventOfDefinition<CurrentDefinitions<D>>>;
  /** Decodes a kafkajs message (binary or structured mode) and parses it: what `eachMessage` calls. */
  parseKafkaMessage(
    message: KafkaIncomingMessage,
  ): ParseResult<EventOfDefinition<CurrentDefinitions<D>>>;
  /**
   * Encodes an event in the CloudEvents Kafka binary mode: `data` as JSON in the value, attributes
   * as `ce_*` headers, the aggregate id as the key. An event not made by {@link createEvent} is
   * validated first (envelope, type in this catalog, data against its writer schema).
   *
   * @throws EventSchemaError
   */
  toKafkaMessage(event: EventEnvelope): KafkaOutgoingMessage;
  /** Type-level only: the union of current events, `typeof catalog.$event`. Undefined at run time. */
  readonly $event?: EventOfDefinition<CurrentDefinitions<D>>;
}

/** Any catalog, whatever its events (what the adapter and the new-service kit accept). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCatalog = Catalog<any>;

type DefinitionsOf<C> = C extends Catalog<infer D> ? D : never;
type IsAny<T> = 0 extends 1 & T ? true : false;
/** What a catalog of unknown events (`AnyCatalog`) holds: code generic over catalogs sees this. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type SomeEvent = EventEnvelope<string, any>;

/**
 * Every current event of a catalog, discriminated by `type`: `switch (event.type)` narrows
 * `event.data`, and `const unhandled: never = event` in the default branch makes the compiler list
 * the cases a consumer forgot.
 */
export type CatalogEvent<C extends AnyCatalog> =
  IsAny<DefinitionsOf<C>> extends true
    ? SomeEvent
    : EventOfDefinition<CurrentDefinitions<DefinitionsOf<C>>>;

/** The current `type` strings of a catalog. */
export type CatalogEventType<C extends AnyCatalog> = CatalogEvent<C>['type'];

/** The event of a catalog with the given `type`. */
export type CatalogEventOfType<C extends AnyCatalog, T extends CatalogEventType<C>> = Extract<
  CatalogEvent<C>,
  { type: T }
>;

/** The `data` of the event of a catalog with the given `type`. */
export type CatalogEventData<
  C extends AnyCatalog,
  T extends CatalogEventType<C>,
> = CatalogEventOfType<C, T>['data'];

/**
 * An event before it has an id, a source and a time: `{ type, data }` of one current event of the
 * catalog. What a legacy-adapter mapper returns.
 */
export type CatalogDraft<C extends AnyCatalog> =
  IsAny<DefinitionsOf<C>> extends true
    ? { type: string; data: SomeEvent['data'] }
    : {
        [T in CatalogEventType<C>]: { type: T; data: CatalogEventData<C, T> };
      }[CatalogEventType<C>];

/** Options of {@link defineCatalog}. */
export interface CatalogOptions {
  /** A short name for generated documents, e.g. `bank`. Default `events`. */
  name?: string;
  /** One paragraph for generated documents. */
  description?: string;
}

// ---------------------------------------------------------------------------------------------
// Building and parsing
// ---------------------------------------------------------------------------------------------

/** Envelope attributes given to `createEvent`; `subject` and `partitionkey` come from the data. */
export interface CreateEventAttributes {
  /** Event id. For captured changes use {@link deterministicEventId} so replays keep their ids. */
  id: string;
  /** The producer, a non-empty URI-reference such as `/legacy/postgres/shop`. */
  source: string;
  /** When the change happened (source commit time). A `Date` is written as `toISOString()`. */
  time: string | Date;
  /** Absolute URI of the data's schema. */
  dataschema?: string;
  /** Position of the change in the source, e.g. the commit LSN `0/16B3748`. */
  sourceposition?: string;
  /** Source transaction id. */
  sourcetx?: string;
  /** Id of the event or command that caused this one. */
  causationid?: string;
  /** Id shared by the events of one business flow. */
  correlationid?: string;
}

/** What `parseEvent` returns: the typed event, or why it was refused. */
export type ParseResult<TEvent = EventEnvelope> =
  | {
      ok: true;
      /** The validated event in its current version, narrowed by `type`. Unknown data fields are dropped. */
      event: TEvent;
      /** Extension attributes the catalog does not know (e.g. `traceparent`), as received. */
      extensions: Record<string, ExtensionValue>;
      /** The `type` as it arrived, when an older version was upcast to the current one. */
      upcastFrom?: string;
    }
  | { ok: false; error: EventSchemaError };

/** What {@link fromKafkaMessage} returns: the CloudEvent, or why the message is not one. */
export type DecodeResult = { ok: true; event: CloudEvent } | { ok: false; error: EventSchemaError };

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/**
 * Which stage refused an event:
 * - `DECODE_FAILED`: the Kafka message is not a CloudEvent we can read (missing `ce_` header,
 *   value not UTF-8 JSON, unsupported content type, duplicated header, tombstone).
 * - `INVALID_ENVELOPE`: a CloudEvents attribute is missing or malformed.
 * - `UNKNOWN_TYPE`: the `type` (with its version) is not in the catalog.
 * - `INVALID_DATA`: `data` does not match the schema of its type.
 * - `INVALID_ARGUMENT`: a function of this package was called with a bad argument.
 */
export type EventSchemaErrorCode =
  'DECODE_FAILED' | 'INVALID_ENVELOPE' | 'UNKNOWN_TYPE' | 'INVALID_DATA' | 'INVALID_ARGUMENT';

/** One reason an event was refused. */
export interface EventIssue {
  /** Where, from the envelope's root: `data.qty`, `time`, `headers.ce_id`; empty for the whole event. */
  path: string;
  /** Machine-readable kind (zod issue codes such as `too_small`, or ours such as `missing_header`). */
  code: string;
  /** Why, in words, ending with the value received when there was one. */
  message: string;
}

/** Structured context of an {@link EventSchemaError}. */
export interface EventSchemaErrorDetails {
  /** Every reason, in order. */
  issues: EventIssue[];
  /** Path of the first issue, for a quick look. */
  path?: string;
  /** The event's `type`, when it could be read. */
  eventType?: string;
  /** The event's `id`, when it could be read. */
  eventId?: string;
  /** The event's `source`, when it could be read. */
  eventSource?: string;
}

// ---------------------------------------------------------------------------------------------
// Kafka (structural types, so this package does not depend on kafkajs)
// ---------------------------------------------------------------------------------------------

/** A message to hand to kafkajs `producer.send({ topic, messages: [message] })`. */
export interface KafkaOutgoingMessage {
  /** The aggregate id (`partitionkey`). */
  key: string;
  /** The event's `data` as JSON text. */
  value: string;
  /** `ce_<attribute>` headers and `content-type: application/json`. */
  headers: Record<string, string>;
}

/** A header value as kafkajs delivers it: a Buffer, a string, or several when the name repeats. */
export type KafkaHeaderValue = Buffer | string | (Buffer | string)[] | undefined;

/** The fields of a kafkajs consumer message this package reads (`eachMessage`'s `message`). */
export interface KafkaIncomingMessage {
  /** The record key; null or absent when the producer set none. */
  key?: Buffer | string | null;
  /** The record value; null for a tombstone. */
  value: Buffer | string | null;
  /** The record headers. */
  headers?: Record<string, KafkaHeaderValue>;
}
