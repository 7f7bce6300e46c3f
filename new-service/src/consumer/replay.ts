import { forgetDeadLettered, addToInbox, setInboxOutcome } from '../postgres/inbox.js';
import { markFailedAgain, markReplayed, type StoredDeadLetter } from '../postgres/dead-letters.js';
import { inTransaction } from '../postgres/transaction.js';
import type { DeadLetterReason } from '../types.js';
import { deadLetterReason } from './classify.js';
import { txOptions, type ConsumeDependencies, type ConsumeResult } from './consume.js';
import { Work } from './work.js';
import { decode } from './decode.js';

/**
 * Applies a dead letter again through its consumer's handler (after the cause was fixed: a
 * missing record added, a bug deployed, a type added to the catalog). Its event id leaves the
 * inbox's dead-lettered entries and it is applied like a new delivery, with `context.replay`
 * true, without touching checkpoints. Failing again updates the letter's reason.
 */
export async function replayDeadLetter(
  deps: ConsumeDependencies,
  letter: StoredDeadLetter,
): Promise<ConsumeResult> {
  const { consumer } = deps;
  const decoded = decode(consumer, letter.message);
  if (!decoded.ok) return failedAgain(deps, letter.id, decoded.reason);
  try {
    const outcome = await inTransaction(deps.pool, txOptions(deps), async (tx) => {
      await forgetDeadLettered(tx, consumer.name, decoded.identity);
      if (!(await addToInbox(tx, consumer.name, decoded.identity, letter.position, 'applied'))) {
        await markReplayed(tx, letter.id, 'duplicate');
        return 'duplicate' as const;
      }
      const work = new Work(deps, tx);
      const result = await work.handle(decoded, { position: letter.position, replay: true });
      if (result !== 'applied') {
        await setInboxOutcome(tx, consumer.name, decoded.identity, result);
      }
      await markReplayed(tx, letter.id, result);
      await work.finish();
      return result;
    });
    return { outcome };
  } catch (err) {
    const reason = deadLetterReason(consumer, err);
    if (!reason) throw err;
    return failedAgain(deps, letter.id, reason);
  }
}

async function failedAgain(
  deps: ConsumeDependencies,
  id: string,
  reason: DeadLetterReason,
): Promise<ConsumeResult> {
  await inTransaction(deps.pool, txOptions(deps), (tx) => markFailedAgain(tx, id, reason));
  return { outcome: 'dead_lettered', reason };
}
