import { Writer } from '../protocol/writer.js';
import type { ApiHandler } from './api.js';

/** SyncGroup v3. Followers wait here until the leader sends the assignment. */
export const syncGroup: ApiHandler = {
  key: 14,
  name: 'SyncGroup',
  version: 3,
  async handle(r, { state }) {
    const groupId = r.string();
    const generationId = r.int32();
    const memberId = r.string();
    r.nullableString(); // group instance id
    const assignments = new Map(r.array((r) => [r.string(), Buffer.from(r.bytes())] as const));
    const result = await state.coordinator.sync(groupId, generationId, memberId, assignments);
    return new Writer().int32(0).int16(result.error).bytes(result.assignment);
  },
};
