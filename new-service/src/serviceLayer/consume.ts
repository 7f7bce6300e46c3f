import { DomainRuleViolation, type Command } from '../domain/index.js';
import { sqlState } from '../errors.js';
import type {
  ConsumeOutcome,
  DeadLetterReason,
  EventIdentity,
  MessagePosition,
  RawMessage,
} from '../types.js';
import type { MessageBus } from './messageBus.js';
import { runInUnitOfWork, type UnitOfWorkFactory } from './unitOfWork.js';

/** An incoming message as the consumer entry point translated it. */
export interface IncomingMessage {
  position: MessagePosition;
  message: RawMessage;
  translation: Translation;
}

/** A command to run, or why the message can never be one. */
export type Translation =
  | { ok: true; event: EventIdentity; command: Command }
  | { ok: false; event?: EventIdentity; reason: DeadLetterReason };

/** What happened to a message, and why when it was dead-lettered. */
export interface ConsumeResult {
  outcome: ConsumeOutcome;
  reason?: DeadLetterReason;
}

export interface ConsumeDependencies {
  openUnitOfWork: UnitOfWorkFactory;
  bus: MessageBus;
}

/**
 * Exactly-once effect for one message: one transaction moves the partition checkpoint past it,
 * records its event id in the inbox (a duplicate stops there), applies its command and commits.
 * A message that can never be applied is stored as a dead letter in a transaction that also moves
 * the checkpoint, so it does not block the partition. Anything else (database down, a bug) is
 * thrown: the caller must retry the same message later, never skip it.
 */
export async function consumeMessage(
  deps: ConsumeDependencies,
  incoming: IncomingMessage,
): Promise<ConsumeResult> {
  const { translation, position } = incoming;
  if (!translation.ok) return deadLetter(deps, incoming, translation.reason, translation.event);
  try {
    const outcome = await runInUnitOfWork(deps.openUnitOfWork, async (uow) => {
      if (!(await uow.checkpoints.claim(position))) return 'already_processed' as const;
      if (!(await uow.inbox.add(translation.event, position, 'applied'))) {
        await uow.commit();
        return 'duplicate';
      }
      const result = await deps.bus.handle(translation.command, uow);
      if (result !== 'applied') await uow.inbox.setOutcome(translation.event, result);
      await uow.commit();
      return result;
    });
    return { outcome };
  } catch (err) {
    const reason = permanentFailure(err);
    if (!reason) throw err;
    return deadLetter(deps, incoming, reason, translation.event);
  }
}

/**
 * The messages of one partition, in offset order, applied in ONE transaction: under load a batch
 * holds many messages, so the checkpoint, each product's load and the commit are paid once per
 * batch instead of once per message. The effect per message is the same as `consumeMessage`'s.
 * A batch holding a message that cannot be applied is rolled back whole and its messages are then
 * consumed one by one, so the bad one is dead-lettered and the others applied.
 */
export async function consumeBatch(
  deps: ConsumeDependencies,
  batch: IncomingMessage[],
): Promise<ConsumeResult[]> {
  if (batch.length === 1 || batch.some((m) => !m.translation.ok))
    return consumeOneByOne(deps, batch);
  try {
    return await runInUnitOfWork(deps.openUnitOfWork, async (uow) => {
      const results: ConsumeResult[] = [];
      for (const { translation, position } of batch) {
        if (!translation.ok) throw new Error('unreachable: checked above');
        if (!(await uow.checkpoints.claim(position))) {
          results.push({ outcome: 'already_processed' });
        } else if (!(await uow.inbox.add(translation.event, position, 'applied'))) {
          results.push({ outcome: 'duplicate' });
        } else {
          const outcome = await deps.bus.handle(translation.command, uow);
          if (outcome !== 'applied') await uow.inbox.setOutcome(translation.event, outcome);
          results.push({ outcome });
        }
      }
      await uow.commit();
      return results;
    });
  } catch (err) {
    if (!permanentFailure(err)) throw err;
    return consumeOneByOne(deps, batch);
  }
}

async function consumeOneByOne(
  deps: ConsumeDependencies,
  batch: IncomingMessage[],
): Promise<ConsumeResult[]> {
  const results: ConsumeResult[] = [];
  for (const incoming of batch) results.push(await consumeMessage(deps, incoming));
  return results;
}

async function deadLetter(
  deps: ConsumeDependencies,
  { position, message }: IncomingMessage,
  reason: DeadLetterReason,
  event: EventIdentity | undefined,
): Promise<ConsumeResult> {
  const outcome = await runInUnitOfWork(
    deps.openUnitOfWork,
    async (uow): Promise<ConsumeOutcome> => {
      if (!(await uow.checkpoints.claim(position))) return 'already_processed';
      if (event && !(await uow.inbox.add(event, position, 'dead_lettered'))) {
        await uow.commit();
        return 'duplicate';
      }
      await uow.deadLetters.add({ position, message, reason, ...(event ? { event } : {}) });
      await uow.commit();
      return 'dead_lettered';
    },
  );
  return outcome === 'dead_lettered' ? { outcome, reason } : { outcome };
}

/**
 * The reason when `err` fails the same way on every attempt: a domain rule, or data Postgres
 * refuses (class 22 data exception, class 23 integrity violation). Undefined for anything that
 * may pass later (connection lost, serialization failure) and for bugs, which must not cost data.
 */
export function permanentFailure(err: unknown): DeadLetterReason | undefined {
  if (err instanceof DomainRuleViolation) return { code: err.code, message: err.message };
  const state = sqlState(err);
  if (/^2[23][0-9A-Z]{3}$/.test(state)) {
    const message = err instanceof Error ? err.message : String(err);
    return { code: 'database_rejected', message: `${message} (SQLSTATE ${state})` };
  }
  return undefined;
}
