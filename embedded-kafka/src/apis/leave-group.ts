import { KafkaErrorCode } from '../errors.js';
import { Writer } from '../protocol/writer.js';
import type { ApiHandler } from './api.js';

/** LeaveGroup v3: a batch of members leave; each gets its own error code. */
export const leaveGroup: ApiHandler = {
  key: 13,
  name: 'LeaveGroup',
  version: 3,
  handle(r, { state }) {
    const groupId = r.string();
    const members = r.array((r) => ({ memberId: r.string(), instanceId: r.nullableString() }));
    const results = members.map((m) => ({
      ...m,
      error: state.coordinator.leave(groupId, m.memberId),
    }));
    return new Writer()
      .int32(0)
      .int16(KafkaErrorCode.NONE)
      .array(results, (w, m) => w.string(m.memberId).string(m.instanceId).int16(m.error));
  },
};
