import { Writer } from '../protocol/writer.js';
import type { ApiHandler } from './api.js';

/** JoinGroup v5. The response is deferred until the rebalance's join phase completes. */
export const joinGroup: ApiHandler = {
  key: 11,
  name: 'JoinGroup',
  version: 5,
  async handle(r, { state, clientId, clientHost }) {
    const groupId = r.string();
    const sessionTimeoutMs = r.int32();
    const rebalanceTimeoutMs = r.int32();
    const memberId = r.string();
    r.nullableString(); // group instance id: static membership is not supported; members are dynamic
    const protocolType = r.string();
    const protocols = r.array((r) => ({ name: r.string(), metadata: Buffer.from(r.bytes()) }));
    const result = await state.coordinator.join(groupId, {
      memberId,
      clientId,
      clientHost,
      sessionTimeoutMs,
      rebalanceTimeoutMs,
      protocolType,
      protocols,
    });
    return new Writer()
      .int32(0)
      .int16(result.error)
      .int32(result.generationId)
      .string(result.protocol)
      .string(result.leaderId)
      .string(result.memberId)
      .array(result.members, (w, m) => w.string(m.memberId).string(null).bytes(m.metadata));
  },
};
