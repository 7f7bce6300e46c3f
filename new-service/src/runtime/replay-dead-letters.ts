import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { replayDeadLetter } from '../consumer/replay.js';
import { configError } from '../errors.js';
import { loadDeadLetters } from '../postgres/dead-letters.js';
import type { AnyConsumer, ReplayResult, ReplaySelection } from '../types.js';

/** Checks a replay selection against the consumers; a `config` error names what is wrong. */
export function checkSelection(consumers: readonly AnyConsumer[], selection: ReplaySelection) {
  for (const id of selection.ids ?? []) {
    if (!/^\d{1,18}$/.test(id)) throw configError(`ids: "${id}" is not a dead letter id (digits)`);
  }
  if (selection.consumer !== undefined && !consumers.some((c) => c.name === selection.consumer)) {
    throw configError(
      `consumer "${selection.consumer}" is not one of this service's: ${consumers.map((c) => c.name).join(', ') || 'none'}`,
    );
  }
}

/**
 * The dead letters of the selected consumers, oldest first, each applied again through its
 * consumer's handler in its own transaction. Order matters as it did on the topic (a record
 * before what refers to it), so letters go in the order they were stored.
 */
export async function replayLetters(
  pool: Pool,
  consumers: readonly AnyConsumer[],
  selection: ReplaySelection,
  logger: Logger,
): Promise<ReplayResult[]> {
  checkSelection(consumers, selection);
  const chosen = consumers.filter(
    (c) => selection.consumer === undefined || c.name === selection.consumer,
  );
  const byName = new Map(chosen.map((c) => [c.name, c]));
  const results: ReplayResult[] = [];
  for (const letter of await loadDeadLetters(pool, [...byName.keys()], selection.ids)) {
    const consumer = byName.get(letter.consumer)!;
    const log = logger.child({ consumer: consumer.name });
    const result = await replayDeadLetter({ pool, consumer, logger: log }, letter);
    const line: ReplayResult = {
      id: letter.id,
      consumer: consumer.name,
      ...letter.position,
      ...result,
    };
    log[result.outcome === 'dead_lettered' ? 'warn' : 'info'](line, 'dead letter replayed');
    results.push(line);
  }
  return results;
}
