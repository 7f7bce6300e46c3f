import { KafkaErrorCode } from '../errors.js';
import { Writer } from '../protocol/writer.js';
import type { ApiHandler } from './api.js';

/** DescribeGroups v2. An unknown group is reported as Dead, as Kafka does at this version. */
export const describeGroups: ApiHandler = {
  key: 15,
  name: 'DescribeGroups',
  version: 2,
  handle(r, { state }) {
    const ids = r.array((r) => r.string());
    return new Writer().int32(0).array(ids, (w, id) => {
      const g = state.coordinator.describe(id);
      w.int16(KafkaErrorCode.NONE)
        .string(g.groupId)
        .string(g.state)
        .string(g.protocolType)
        .string(g.protocol);
      w.array(g.members, (w, m) =>
        w
          .string(m.id)
          .string(m.clientId)
          .string(m.clientHost)
          .bytes(m.metadata)
          .bytes(m.assignment),
      );
    });
  },
};

/** ListGroups v2: every group with members or committed offsets. */
export const listGroups: ApiHandler = {
  key: 16,
  name: 'ListGroups',
  version: 2,
  handle(_r, { state }) {
    return new Writer()
      .int32(0)
      .int16(KafkaErrorCode.NONE)
      .array(state.coordinator.list(), (w, g) => w.string(g.groupId).string(g.protocolType));
  },
};

/** DeleteGroups v1: only groups without members can be deleted; their offsets go with them. */
export const deleteGroups: ApiHandler = {
  key: 42,
  name: 'DeleteGroups',
  version: 1,
  handle(r, { state }) {
    const ids = r.array((r) => r.string());
    return new Writer()
      .int32(0)
      .array(ids, (w, id) => w.string(id).int16(state.coordinator.delete(id)));
  },
};
