// Test helpers of @strangler/new-service (`@strangler/new-service/testing`): fast handler tests
// without a database or Kafka. No test-runner dependency: failures are node:assert errors.
export {
  ConsumerSpec,
  type ConsumerSpecOptions,
  type ReceivedEvent,
  type SpecEvent,
} from './consumer-spec.js';
export { SpecResult } from './spec-result.js';
export { FakeUnitOfWork } from './fake-unit-of-work.js';
export { InMemoryRepository } from './in-memory-repository.js';
