import { createEvent, deterministicEventId, toKafkaMessage } from '@strangler/event-schemas';
import type { EventDraft } from '../mapping/mapper.js';
import type { OutgoingMessage } from './kafka-publisher.js';

export interface EventOrigin {
  source: string;
  /** Where the change was in the source (commit LSN, or `snapshot@<lsn>`): with `index`, the event id. */
  position: string;
  /** Index of the first draft among all events of this position. */
  firstIndex: number;
  time: Date;
  xid?: number;
}

/**
 * Gives drafts their envelope and Kafka form. Ids are derived from the source position, so a
 * transaction published again after a crash carries the same ids and consumers can drop it.
 */
export function toMessages(
  drafts: EventDraft[],
  origin: EventOrigin,
  topic: string,
): OutgoingMessage[] {
  return drafts.map((draft, i) => {
    const event = createEvent(draft.type, draft.data as never, {
      id: deterministicEventId(origin.source, origin.position, origin.firstIndex + i),
      source: origin.source,
      time: origin.time.toISOString(),
      sourceposition: origin.position,
      ...(origin.xid === undefined ? {} : { sourcetx: String(origin.xid) }),
    });
    const message = toKafkaMessage(event);
    return { topic, key: message.key, value: message.value, headers: message.headers };
  });
}
