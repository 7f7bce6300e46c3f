import { NewServiceError, sqlState, messageOf } from '../errors.js';
import type { AnyConsumer, DeadLetterReason } from '../types.js';

/**
 * The kit's default: an error that fails the same way on every attempt is a dead letter. That is
 * a `rejected` NewServiceError, or data Postgres refuses (class 22 data exception, class 23
 * integrity violation). Anything that may pass later (connection lost, serialization failure)
 * and bugs are undefined: retried, never skipped, because skipping would cost data.
 */
export function defaultDeadLetterReason(err: unknown): DeadLetterReason | undefined {
  if (err instanceof NewServiceError && err.code === 'rejected') {
    return {
      code: err.reason ?? 'rejected',
      message: err.message,
      ...(err.details === undefined ? {} : { details: err.details }),
    };
  }
  const state = sqlState(err);
  if (/^2[23][0-9A-Z]{3}$/.test(state)) {
    return { code: 'database_rejected', message: `${messageOf(err)} (SQLSTATE ${state})` };
  }
  return undefined;
}

/** The consumer's `deadLetterWhen` first (`null`: retry), then the default. */
export function deadLetterReason(
  consumer: AnyConsumer,
  err: unknown,
): DeadLetterReason | undefined {
  const own = consumer.deadLetterWhen?.(err);
  if (own === null) return undefined;
  return own ?? defaultDeadLetterReason(err);
}
