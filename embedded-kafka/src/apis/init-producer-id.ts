import { KafkaErrorCode } from '../errors.js';
import { Writer } from '../protocol/writer.js';
import type { ApiHandler } from './api.js';

/** InitProducerId v1: a fresh producer id, epoch 0, for the idempotent producer. */
export const initProducerId: ApiHandler = {
  key: 22,
  name: 'InitProducerId',
  version: 1,
  handle(r, { state }) {
    const transactionalId = r.nullableString();
    r.int32(); // transaction timeout
    if (transactionalId !== null) {
      state.logger.warn(
        `InitProducerId for transactional id "${transactionalId}": transactions are not supported`,
      );
    }
    return new Writer()
      .int32(0)
      .int16(KafkaErrorCode.NONE)
      .int64(state.producers.allocateId())
      .int16(0);
  },
};
