import { KafkaErrorCode } from '../errors.js';
import { Writer } from '../protocol/writer.js';
import type { ApiHandler } from './api.js';

/** FindCoordinator v2: this node coordinates every group (and would every transaction). */
export const findCoordinator: ApiHandler = {
  key: 10,
  name: 'FindCoordinator',
  version: 2,
  handle(r, { state }) {
    r.string(); // coordinator key
    r.int8(); // coordinator type
    const { nodeId, advertisedHost } = state.options;
    return new Writer()
      .int32(0)
      .int16(KafkaErrorCode.NONE)
      .string(null)
      .int32(nodeId)
      .string(advertisedHost)
      .int32(state.port);
  },
};
