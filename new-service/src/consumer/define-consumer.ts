import { isCatalog, type AnyCatalog } from '@strangler/event-schemas';
import { configError } from '../errors.js';
import type { ConsumerDefinition, ConsumerOptions } from '../types.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
// Kafka's own rule for topic names.
export const TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

/**
 * A consumer of one topic: the user's catalog, unit of work and handler, run exactly once per
 * event by the kit (inbox + checkpoint in the handler's transaction). Checks the options now and
 * throws a `config` NewServiceError naming the bad one.
 *
 * ```ts
 * const projection = defineConsumer({
 *   name: 'balances', catalog: bank, topic: 'bank.events',
 *   unitOfWork: (tx) => new Balances(tx),
 *   handle: async (event, balances) => { ... },
 * });
 * ```
 */
export function defineConsumer<C extends AnyCatalog, U>(
  options: ConsumerOptions<C, U>,
): ConsumerDefinition<C, U> {
  const { name } = options;
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw configError(
      `consumer name ${JSON.stringify(name)} must be 1-100 of A-Z a-z 0-9 . _ - (it keys the consumer's rows)`,
    );
  }
  const where = `consumer "${name}"`;
  if (!isCatalog(options.catalog)) {
    throw configError(
      `${where}: catalog must be made by defineCatalog from @strangler/event-schemas`,
    );
  }
  if (typeof options.topic !== 'string' || !TOPIC.test(options.topic)) {
    throw configError(
      `${where}: topic ${JSON.stringify(options.topic)} is not a Kafka topic name (1-249 of a-z A-Z 0-9 . _ -)`,
    );
  }
  const group = options.group ?? name;
  if (typeof group !== 'string' || group.trim() === '') {
    throw configError(`${where}: group must be a non-empty string, got ${JSON.stringify(group)}`);
  }
  for (const fn of ['unitOfWork', 'handle'] as const) {
    if (typeof options[fn] !== 'function') throw configError(`${where}: ${fn} must be a function`);
  }
  for (const fn of ['beforeCommit', 'deadLetterWhen', 'reset'] as const) {
    if (options[fn] !== undefined && typeof options[fn] !== 'function') {
      throw configError(`${where}: ${fn} must be a function when given`);
    }
  }
  const definition = Object.freeze({ ...options, group });
  defined.add(definition);
  return definition;
}

const defined = new WeakSet<object>();

/** True for a value made by {@link defineConsumer}. */
export function isConsumer(value: unknown): value is ConsumerDefinition {
  return typeof value === 'object' && value !== null && defined.has(value);
}
