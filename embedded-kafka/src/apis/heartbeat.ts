import { Writer } from '../protocol/writer.js';
import type { ApiHandler } from './api.js';

/** Heartbeat v3: keeps the member's session alive; REBALANCE_IN_PROGRESS tells it to rejoin. */
export const heartbeat: ApiHandler = {
  key: 12,
  name: 'Heartbeat',
  version: 3,
  handle(r, { state }) {
    const groupId = r.string();
    const generationId = r.int32();
    const memberId = r.string();
    r.nullableString(); // group instance id
    return new Writer()
      .int32(0)
      .int16(state.coordinator.heartbeat(groupId, generationId, memberId));
  },
};
