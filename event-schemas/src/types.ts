import type { z } from 'zod';
import type { eventDefinitions } from './catalog.js';
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
  /** Reverse-DNS event type with the schema version as suffix, e.g. `io.strangler.allocation.batch_created.v1`. */
  type: TType;
  /** The aggregate the event is about (the product's sku). Set by {@link createEvent}. */
  subject?: string;
  /** When the change happened (the source commit time), RFC 3339 with an offset, e.g. `2024-05-01T12:00:00.000Z`. */
  time: string;
  /** Media type of `data`. Always `application/json`. */
  datacontenttype: 'application/json';
  /** Absolute URI of the schema `data` adheres to. Optional. */
  dataschema?: string;
  /**
   * Extension (CloudEvents Partitioning): the Kafka message key, equal to the aggregate id, so
   * every event of one product lands on one partition in order.
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
// Event data (the allocation domain of "Architecture Patterns with Python"; aggregate Product)
// ---------------------------------------------------------------------------------------------

/**
 * Fields every event of the Product aggregate carries. `version` is optional because a capture
 * only knows it when the `products` row changed in the same transaction.
 */
export interface ProductEventData {
  /** The product's stock-keeping unit: the aggregate id and the Kafka key. */
  sku: string;
  /**
   * The Product aggregate's version number (`products.version_number`) after the transaction
   * that produced the event, when the source knows it. Events of one transaction share it; their
   * order inside it is the partition order. Integer >= 0.
   */
  version?: number;
}

/** Data of `ProductCreated` v1: a product (sku) now exists. */
export type ProductCreatedV1Data = ProductEventData;

/** Data of `BatchCreated` v1: a batch of stock was added for a product. */
export interface BatchCreatedV1Data extends ProductEventData {
  /** The batch reference, unique across all products. */
  ref: string;
  /** Purchased quantity, integer >= 0. */
  qty: number;
  /** Expected arrival date `YYYY-MM-DD`, or null for stock already in the warehouse. */
  eta: string | null;
}

/** Data of `BatchQuantityChanged` v1: a batch's purchased quantity was changed. */
export interface BatchQuantityChangedV1Data extends ProductEventData {
  /** The batch reference. */
  ref: string;
  /** The new purchased quantity, integer >= 0. */
  qty: number;
}

/** Data of `BatchEtaChanged` v1: a batch's expected arrival date was changed. */
export interface BatchEtaChangedV1Data extends ProductEventData {
  /** The batch reference. */
  ref: string;
  /** The new arrival date `YYYY-MM-DD`, or null when the stock has arrived. */
  eta: string | null;
}

/** Data of `Allocated` v1: an order line was allocated to a batch. */
export interface AllocatedV1Data extends ProductEventData {
  /** The order the line belongs to. */
  orderid: string;
  /** Quantity of the order line, integer > 0. */
  qty: number;
  /** Reference of the batch the line was allocated to. */
  batchref: string;
}

/** Data of `Deallocated` v1: an order line was taken off the batch it was allocated to. */
export interface DeallocatedV1Data extends ProductEventData {
  /** The order the line belongs to. */
  orderid: string;
  /** Quantity of the order line, integer > 0. */
  qty: number;
  /** Reference of the batch the line was allocated to until now. */
  batchref: string;
}

/** `io.strangler.allocation.product_created.v1` */
export type ProductCreatedV1 = EventEnvelope<
  'io.strangler.allocation.product_created.v1',
  ProductCreatedV1Data
>;
/** `io.strangler.allocation.batch_created.v1` */
export type BatchCreatedV1 = EventEnvelope<
  'io.strangler.allocation.batch_created.v1',
  BatchCreatedV1Data
>;
/** `io.strangler.allocation.batch_quantity_changed.v1` */
export type BatchQuantityChangedV1 = EventEnvelope<
  'io.strangler.allocation.batch_quantity_changed.v1',
  BatchQuantityChangedV1Data
>;
/** `io.strangler.allocation.batch_eta_changed.v1` */
export type BatchEtaChangedV1 = EventEnvelope<
  'io.strangler.allocation.batch_eta_changed.v1',
  BatchEtaChangedV1Data
>;
/** `io.strangler.allocation.allocated.v1` */
export type AllocatedV1 = EventEnvelope<'io.strangler.allocation.allocated.v1', AllocatedV1Data>;
/** `io.strangler.allocation.deallocated.v1` */
export type DeallocatedV1 = EventEnvelope<
  'io.strangler.allocation.deallocated.v1',
  DeallocatedV1Data
>;

// Current versions: what producers create and what consumers switch over. When a v2 arrives, the
// alias moves to it and the v1 type stays for its upcaster.
/** The current version of ProductCreated. */
export type ProductCreated = ProductCreatedV1;
/** The current version of BatchCreated. */
export type BatchCreated = BatchCreatedV1;
/** The current version of BatchQuantityChanged. */
export type BatchQuantityChanged = BatchQuantityChangedV1;
/** The current version of BatchEtaChanged. */
export type BatchEtaChanged = BatchEtaChangedV1;
/** The current version of Allocated. */
export type Allocated = AllocatedV1;
/** The current version of Deallocated. */
export type Deallocated = DeallocatedV1;

/**
 * Every domain event in its current version, discriminated by `type`:
 * `switch (event.type)` narrows `event.data`, and `const _never: never = event` in the default
 * branch makes the compiler list the cases a consumer forgot.
 */
export type DomainEvent =
  ProductCreated | BatchCreated | BatchQuantityChanged | BatchEtaChanged | Allocated | Deallocated;

/**
 * The `type` of every event in the catalog, old versions included (what upcasters and the
 * compatibility check work on). Today every entry is current, so it equals {@link DomainEventType}.
 */
export type CatalogEventType = (typeof eventDefinitions)[number]['type'];

/** The `type` string of a current domain event. */
export type DomainEventType = DomainEvent['type'];

/** The event with the given `type`, e.g. `EventOfType<'io.strangler.allocation.allocated.v1'>`. */
export type EventOfType<T extends DomainEventType> = Extract<DomainEvent, { type: T }>;

/** The `data` of the event with the given `type`. */
export type EventData<T extends DomainEventType> = EventOfType<T>['data'];

// ---------------------------------------------------------------------------------------------
// Catalog
// ---------------------------------------------------------------------------------------------

/**
 * One event type in one version. The catalog keeps every version ever published, so old events
 * stay readable; exporters (JSON Schema, AsyncAPI, markdown) and the compatibility check read
 * these entries.
 */
export interface EventDefinition<TType extends string = string, TData extends object = object> {
  /** Full CloudEvents `type`, ending in `.v<version>`. */
  readonly type: TType;
  /** Versionless PascalCase name, e.g. `BatchCreated`; versions of one event share it. */
  readonly name: string;
  /** Schema version, an integer >= 1, equal to the `.v<n>` suffix of `type`. */
  readonly version: number;
  /** The aggregate whose id keys the event, e.g. `Product`. */
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
  /** The aggregate id (Kafka key, `subject`, `partitionkey`) of an event's data. */
  readonly aggregateId: (data: TData) => string;
  /** A valid `data`, for documentation, generated examples and tests. */
  readonly example: TData;
}

// ---------------------------------------------------------------------------------------------
// Building and parsing
// ---------------------------------------------------------------------------------------------

/** Envelope attributes given to {@link createEvent}; `subject` and `partitionkey` come from the data. */
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

/** What {@link parseEvent} returns: the typed event, or why it was refused. */
export type ParseResult =
  | {
      ok: true;
      /** The validated event, narrowed by `type`. Unknown fields of `data` are dropped. */
      event: DomainEvent;
      /** Extension attributes the catalog does not know (e.g. `traceparent`), as received. */
      extensions: Record<string, ExtensionValue>;
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
