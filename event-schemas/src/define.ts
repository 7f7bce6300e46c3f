import { z } from 'zod';
import type { EventDefinition, EventEnvelope } from './types.js';

/** Reverse-DNS prefix, snake_case event name, `.v<n>` suffix: `io.strangler.allocation.allocated.v1`. */
export const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9]*(?:\.[a-z][a-z0-9_]*)+\.v([1-9][0-9]*)$/;
const PASCAL_CASE = /^[A-Z][A-Za-z0-9]*$/;

interface EventSpec<TEvent extends EventEnvelope<string, object>> {
  type: TEvent['type'];
  name: string;
  version: number;
  aggregate: string;
  description: string;
  schema: z.ZodObject & z.ZodType<TEvent['data']>;
  aggregateId: (data: TEvent['data']) => string;
  example: TEvent['data'];
}

/**
 * Declares one version of one event. The type argument is the event's interface from types.ts, so
 * the `type` string and the schema's output are checked against the published contract.
 * Throws at module load when the type string does not follow the naming rule or disagrees with
 * `version`: a broken catalog must never reach a producer.
 */
export function defineEvent<TEvent extends EventEnvelope<string, object>>(
  spec: EventSpec<TEvent>,
): EventDefinition<TEvent['type'], TEvent['data']> {
  const match = EVENT_TYPE_PATTERN.exec(spec.type);
  if (!match) {
    throw new Error(
      `event type "${spec.type}" must be reverse-DNS with a version suffix, e.g. io.strangler.allocation.batch_created.v1`,
    );
  }
  if (Number(match[1]) !== spec.version) {
    throw new Error(
      `event type "${spec.type}" ends in v${match[1]} but its version is ${spec.version}`,
    );
  }
  if (!PASCAL_CASE.test(spec.name)) {
    throw new Error(
      `event name "${spec.name}" of ${spec.type} must be PascalCase, e.g. BatchCreated`,
    );
  }
  const strictSchema = spec.schema.strict() as z.ZodType<TEvent['data']>;
  const example = strictSchema.safeParse(spec.example);
  if (!example.success) {
    throw new Error(`the example of ${spec.type} is invalid: ${z.prettifyError(example.error)}`);
  }
  return Object.freeze({
    ...spec,
    schema: spec.schema.meta({
      title: `${spec.name} v${spec.version}`,
      description: spec.description,
    }),
    strictSchema,
    example: Object.freeze(spec.example),
  });
}
