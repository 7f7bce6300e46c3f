import type { Command } from '../domain/index.js';
import type { DeadLetterReason } from '../types.js';
import {
  permanentFailure,
  type ConsumeDependencies,
  type ConsumeResult,
  type IncomingMessage,
} from './consume.js';
import { runInUnitOfWork } from './unitOfWork.js';

/**
 * Applies a dead letter again (after the cause was fixed: a missing batch recorded, a bug
 * deployed). Its event id leaves the inbox's dead-lettered entries and is applied like a new
 * delivery, without touching partition checkpoints. A replayed fact is older than the product by
 * nature, so its version is not compared. Failing again updates the letter's reason.
 */
export async function replayDeadLetter(
  deps: ConsumeDependencies,
  id: string,
  { translation, position }: IncomingMessage,
): Promise<ConsumeResult> {
  if (!translation.ok) return failedAgain(deps, id, translation.reason);
  const { event } = translation;
  const { version: _version, ...unversioned } = translation.command;
  const command = unversioned as Command;
  try {
    const outcome = await runInUnitOfWork(deps.openUnitOfWork, async (uow) => {
      await uow.inbox.forgetDeadLettered(event);
      if (!(await uow.inbox.add(event, position, 'applied'))) {
        await uow.deadLetters.markReplayed(id, 'duplicate');
        await uow.commit();
        return 'duplicate' as const;
      }
      const result = await deps.bus.handle(command, uow);
      if (result !== 'applied') await uow.inbox.setOutcome(event, result);
      await uow.deadLetters.markReplayed(id, result);
      await uow.commit();
      return result;
    });
    return { outcome };
  } catch (err) {
    const reason = permanentFailure(err);
    if (!reason) throw err;
    return failedAgain(deps, id, reason);
  }
}

async function failedAgain(
  deps: ConsumeDependencies,
  id: string,
  reason: DeadLetterReason,
): Promise<ConsumeResult> {
  await runInUnitOfWork(deps.openUnitOfWork, async (uow) => {
    await uow.deadLetters.markFailedAgain(id, reason);
    await uow.commit();
  });
  return { outcome: 'dead_lettered', reason };
}
