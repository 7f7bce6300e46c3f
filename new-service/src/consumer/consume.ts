import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { claimCheckpoint } from '../postgres/checkpoints.js';
import { addDeadLetter } from '../postgres/dead-letters.js';
import { addToInbox } from '../postgres/inbox.js';
import { inTransaction } from '../postgres/transaction.js';
import type { AnyConsumer, ConsumeOutcome, DeadLetterReason, EventIdentity } from '../types.js';
import { deadLetterReason } from './classify.js';
import type { IncomingMessage } from './decode.js';
import { Work } from './work.js';

/** What happened to a message, and why when it was dead-lettered. */
export interface ConsumeResult {
  outcome: ConsumeOutcome;
  reason?: DeadLetterReason;
}

export interface ConsumeDependencies {
  pool: Pool;
  consumer: AnyConsumer;
  logger: Logger;
  /** Called before each COMMIT (see TransactionOptions). */
  onCommitting?: () => void;
}

/**
 * Exactly-once effect for one message: one transaction moves the consumer's partition checkpoint
 * past it, records its event id in the inbox (a duplicate stops there), runs the handler and
 * commits. A message that can never be applied is stored as a dead letter in a transaction that
 * also moves the checkpoint, so it does not block the partition. Anything else is thrown: the
 * caller must retry the same message later, never skip it.
 */
export async function consumeMessage(
  deps: ConsumeDependencies,
  message: IncomingMessage,
): Promise<ConsumeResult> {
  const { decoded } = message;
  if (!decoded.ok) return deadLetter(deps, message, decoded.reason, decoded.identity);
  try {
    const outcome = await inTransaction(deps.pool, txOptions(deps), async (tx) => {
      const work = new Work(deps, tx);
      const [result] = await work.applyAll([message]);
      await work.finish();
      return result!;
    });
    return { outcome };
  } catch (err) {
    const reason = deadLetterReason(deps.consumer, err);
    if (!reason) throw err;
    return deadLetter(deps, message, reason, decoded.identity);
  }
}

/**
 * The messages of one partition, in offset order, in ONE transaction: under load a batch holds
 * many messages, so the checkpoint, each aggregate's load and the commit are paid once per batch.
 * The effect per message is `consumeMessage`'s. A batch holding a message that cannot be applied
 * is rolled back whole and its messages are consumed one by one, so the bad one is dead-lettered
 * and the others applied.
 */
export async function consumeBatch(
  deps: ConsumeDependencies,
  batch: readonly IncomingMessage[],
): Promise<ConsumeResult[]> {
  if (batch.length === 1 || batch.some((m) => !m.decoded.ok)) return oneByOne(deps, batch);
  try {
    return await inTransaction(deps.pool, txOptions(deps), async (tx) => {
      const work = new Work(deps, tx);
      const outcomes = await work.applyAll(batch);
      await work.finish();
      return outcomes.map((outcome) => ({ outcome }));
    });
  } catch (err) {
    if (!deadLetterReason(deps.consumer, err)) throw err;
    return oneByOne(deps, batch);
  }
}

async function oneByOne(
  deps: ConsumeDependencies,
  batch: readonly IncomingMessage[],
): Promise<ConsumeResult[]> {
  const results: ConsumeResult[] = [];
  for (const message of batch) results.push(await consumeMessage(deps, message));
  return results;
}

async function deadLetter(
  deps: ConsumeDependencies,
  { position, message }: IncomingMessage,
  reason: DeadLetterReason,
  identity: EventIdentity | undefined,
): Promise<ConsumeResult> {
  const { name } = deps.consumer;
  const outcome = await inTransaction(
    deps.pool,
    txOptions(deps),
    async (tx): Promise<ConsumeOutcome> => {
      if (!(await claimCheckpoint(tx, name, position, message.timestamp)))
        return 'already_processed';
      if (identity && !(await addToInbox(tx, name, identity, position, 'dead_lettered'))) {
        return 'duplicate';
      }
      await addDeadLetter(tx, {
        consumer: name,
        position,
        message,
        reason,
        ...(identity ? { event: identity } : {}),
      });
      return 'dead_lettered';
    },
  );
  return outcome === 'dead_lettered' ? { outcome, reason } : { outcome };
}

export function txOptions(deps: ConsumeDependencies) {
  return {
    synchronousCommit: deps.consumer.synchronousCommit ?? false,
    logger: deps.logger,
    ...(deps.onCommitting ? { onCommitting: deps.onCommitting } : {}),
  };
}
