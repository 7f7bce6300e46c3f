// Public API of @strangler/new-service: start the service in-process, or use its parts.
export { bootstrap, type BootstrapOptions, type Bootstrapped } from './bootstrap.js';
export { migrate } from './adapters/schema.js';
export { translate } from './entrypoints/eventConsumer.js';
export { NewServiceError, type NewServiceErrorCode } from './errors.js';
export { DEFAULT_TUNING, DEFAULTS } from './options.js';
export { replayDeadLetters } from './replay.js';
export { startNewService } from './service.js';
export { availabilityReport, readAvailability } from './views.js';
export * as domain from './domain/index.js';
export type * from './types.js';
