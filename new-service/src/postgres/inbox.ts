import type { Transaction } from '../types.js';
import type { EventIdentity, MessagePosition } from '../types.js';
import { noNul } from './raw-message.js';

/** Outcomes stored in the inbox with the event id. */
export type InboxOutcome = 'applied' | 'unchanged' | 'stale' | 'dead_lettered';

/** Records the event for the consumer; false when it was recorded before (a duplicate delivery). */
export async function addToInbox(
  tx: Transaction,
  consumer: string,
  event: EventIdentity,
  at: MessagePosition,
  outcome: InboxOutcome,
): Promise<boolean> {
  const { rowCount } = await tx.query({
    name: 'strangler:inbox-add',
    text: `INSERT INTO strangler_inbox
             (consumer, source, event_id, event_type, topic, partition, "offset", outcome)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
    values: [
      consumer,
      noNul(event.source),
      noNul(event.id),
      noNul(event.type),
      at.topic,
      at.partition,
      at.offset,
      outcome,
    ],
  });
  return rowCount === 1;
}

export async function setInboxOutcome(
  tx: Transaction,
  consumer: string,
  event: EventIdentity,
  outcome: InboxOutcome,
): Promise<void> {
  await tx.query({
    name: 'strangler:inbox-outcome',
    text: 'UPDATE strangler_inbox SET outcome = $4 WHERE consumer = $1 AND source = $2 AND event_id = $3',
    values: [consumer, noNul(event.source), noNul(event.id), outcome],
  });
}

/** `setInboxOutcome` for several events in one statement. */
export async function setInboxOutcomes(
  tx: Transaction,
  consumer: string,
  changes: ReadonlyArray<{ event: EventIdentity; outcome: InboxOutcome }>,
): Promise<void> {
  if (changes.length === 0) return;
  await tx.query({
    name: 'strangler:inbox-outcomes',
    text: `UPDATE strangler_inbox i SET outcome = u.outcome
             FROM unnest($2::text[], $3::text[], $4::text[]) AS u(source, id, outcome)
            WHERE i.consumer = $1 AND i.source = u.source AND i.event_id = u.id`,
    values: [
      consumer,
      changes.map((c) => noNul(c.event.source)),
      changes.map((c) => noNul(c.event.id)),
      changes.map((c) => c.outcome),
    ],
  });
}

/** Forgets a dead-lettered event so a replay can apply it; false if it was not dead-lettered. */
export async function forgetDeadLettered(
  tx: Transaction,
  consumer: string,
  event: EventIdentity,
): Promise<boolean> {
  const { rowCount } = await tx.query(
    `DELETE FROM strangler_inbox
     WHERE consumer = $1 AND source = $2 AND event_id = $3 AND outcome = 'dead_lettered'`,
    [consumer, noNul(event.source), noNul(event.id)],
  );
  return rowCount === 1;
}
