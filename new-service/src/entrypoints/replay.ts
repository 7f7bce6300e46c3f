import type { KafkaMessage } from 'kafkajs';
import type { Pool } from 'pg';
import { loadDeadLetters } from '../adapters/deadLetters.js';
import type { ConsumeDependencies } from '../serviceLayer/consume.js';
import { replayDeadLetter } from '../serviceLayer/replay.js';
import type { ReplayResult } from '../types.js';
import { translate } from './eventConsumer.js';

/**
 * The replay entry point: stored dead letters, oldest first, translated again and applied. Order
 * matters as it did on the topic (a batch before its allocations), so letters are replayed in the
 * order they were stored.
 */
export async function replayStoredDeadLetters(
  pool: Pool,
  deps: ConsumeDependencies,
  ids?: string[],
): Promise<ReplayResult[]> {
  const results: ReplayResult[] = [];
  for (const letter of await loadDeadLetters(pool, ids)) {
    const message: KafkaMessage = {
      key: letter.message.key,
      value: letter.message.value,
      headers: letter.message.headers,
      timestamp: letter.message.timestamp ?? '0',
      attributes: 0,
      offset: letter.position.offset,
    };
    const result = await replayDeadLetter(deps, letter.id, {
      position: letter.position,
      message: letter.message,
      translation: translate(message),
    });
    results.push({ id: letter.id, ...letter.position, ...result });
  }
  return results;
}
