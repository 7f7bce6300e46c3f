import { z } from 'zod';
import { aggregateIdOf } from './aggregate-id.js';
import type { AnyEventDefinition, EventDefinition } from './types.js';

/** Reverse-DNS prefix, snake_case event name, `.v<n>` suffix: `com.example.bank.account_opened.v1`. */
export const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9]*(?:\.[a-z][a-z0-9_]*)+\.v([1-9][0-9]*)$/;
const PASCAL_CASE = /^[A-Z][A-Za-z0-9]*$/;

type Data<S extends z.ZodObject> = z.output<S>;

/** Fields of the data whose value can key an aggregate. */
type KeyField<S extends z.ZodObject> = {
  [K in keyof Data<S>]: Data<S>[K] extends string | number ? K : never;
}[keyof Data<S>] &
  string;

/** What {@link defineEvent} takes. */
export interface EventSpec<
  TType extends string,
  TName extends string,
  TSchema extends z.ZodObject,
  TPrevious extends AnyEventDefinition,
> {
  /** Full type, reverse-DNS with the version as suffix: `com.example.bank.account_opened.v1`. */
  type: TType;
  /** Versionless PascalCase name shared by every version, e.g. `AccountOpened`. */
  name: TName;
  /** The aggregate whose id keys the event, e.g. `Account`. */
  aggregate: string;
  /** One sentence: what happened. */
  description: string;
  /**
   * The data as a zod object of JSON values (no `z.date()`, no transforms, so it exports to JSON
   * Schema). Unknown fields are dropped when reading and refused when writing.
   */
  schema: TSchema;
  /**
   * The aggregate id: the name of a string or number field of the data, or a function of the data.
   * Every event of one aggregate gets it as Kafka key, so they share a partition and keep order.
   */
  aggregateId: KeyField<TSchema> | ((data: Data<TSchema>) => string);
  /** A valid data value, for documents, golden fixtures and tests. Checked here. */
  example: Data<TSchema>;
  /** The version this one replaces (the next lower version of the same event). */
  previous?: TPrevious;
  /** Lifts data of {@link previous} (already validated against its schema) to this version. */
  upcast?: (previous: TPrevious['example']) => z.input<TSchema>;
}

/**
 * Declares one version of one event. The static types (the `type` literal, the data) come from
 * the arguments, so a catalog of these definitions types every producer and consumer.
 *
 * Throws at once when the type string does not follow the naming rule, the example is invalid, or
 * a later version lacks its `previous` and `upcast`: a broken catalog must never reach a producer.
 */
export function defineEvent<
  const TType extends string,
  const TName extends string,
  TSchema extends z.ZodObject,
  TPrevious extends AnyEventDefinition = never,
>(
  spec: EventSpec<TType, TName, TSchema, TPrevious>,
): EventDefinition<
  TType,
  Data<TSchema>,
  TName,
  [TPrevious] extends [never] ? never : TPrevious['type']
> {
  const version = checkNaming(spec);
  checkLineage(spec, version);
  if (!(spec.schema instanceof z.ZodObject)) {
    throw new Error(`the schema of ${spec.type} must be a z.object({ ... }) of the data's fields`);
  }
  const strictSchema = spec.schema.strict() as unknown as z.ZodType<Data<TSchema>>;
  const example = strictSchema.safeParse(spec.example);
  if (!example.success) {
    throw new Error(`the example of ${spec.type} is invalid: ${z.prettifyError(example.error)}`);
  }
  const aggregateId = aggregateIdOf(spec, example.data as Record<string, unknown>);
  type Definition = EventDefinition<
    TType,
    Data<TSchema>,
    TName,
    [TPrevious] extends [never] ? never : TPrevious['type']
  >;
  const definition = {
    type: spec.type,
    name: spec.name,
    version,
    aggregate: spec.aggregate,
    description: spec.description,
    schema: spec.schema.meta({ title: `${spec.name} v${version}`, description: spec.description }),
    strictSchema,
    aggregateId,
    example: Object.freeze(example.data) as Data<TSchema>,
    previous: spec.previous,
    upcast: spec.upcast as ((previous: never) => unknown) | undefined,
  };
  return Object.freeze(definition) as unknown as Definition;
}

function checkNaming(spec: { type: string; name: string; aggregate: string }): number {
  if (typeof spec.type !== 'string') throw new Error(`event type must be a string`);
  const match = EVENT_TYPE_PATTERN.exec(spec.type);
  if (!match) {
    throw new Error(
      `event type "${spec.type}" must be reverse-DNS, snake_case, with a version suffix, e.g. com.example.bank.account_opened.v1`,
    );
  }
  if (!PASCAL_CASE.test(spec.name)) {
    throw new Error(
      `event name "${spec.name}" of ${spec.type} must be PascalCase, e.g. AccountOpened`,
    );
  }
  if (typeof spec.aggregate !== 'string' || spec.aggregate === '') {
    throw new Error(`event ${spec.type} needs an aggregate name, e.g. aggregate: 'Account'`);
  }
  return Number(match[1]);
}

function checkLineage(
  spec: { type: string; name: string; previous?: AnyEventDefinition; upcast?: unknown },
  version: number,
): void {
  const { previous, upcast } = spec;
  if (previous === undefined) {
    if (upcast !== undefined) throw new Error(`${spec.type} has an upcast but no previous version`);
    return;
  }
  if (typeof upcast !== 'function') {
    throw new Error(
      `${spec.type} replaces ${previous.type} but has no upcast: add upcast(data) turning v${previous.version} data into v${version} data, so old events stay readable`,
    );
  }
  if (previous.name !== spec.name || previous.version >= version) {
    throw new Error(
      `${spec.type}: previous must be an earlier version of ${spec.name}, got ${previous.type}`,
    );
  }
}
