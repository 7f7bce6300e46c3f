// Public API of @strangler/new-service: the kit a new domain service is built on. It knows no
// domain: the user brings the catalog, the handlers, the tables and the routes.
export { defineConsumer, isConsumer } from './consumer/define-consumer.js';
export { defaultDeadLetterReason } from './consumer/classify.js';
export { startService } from './service.js';
export { createCommandRunner, isDryRun } from './commands/command-runner.js';
export { rebuildConsumer, replayDeadLetters } from './standalone.js';
export { runServiceCli, type CliIo } from './cli/run.js';
export { del, get, patch, post, put, route } from './http/router.js';
export { json, text, type ReplyInit } from './http/reply.js';
export { ReadCache, type ReadCacheOptions } from './read-cache.js';
export { migrate, withTransaction, type WithTransactionOptions } from './postgres/public.js';
export {
  badRequest,
  isDatabaseUnavailable,
  NewServiceError,
  notFound,
  rejected,
  versionConflict,
  type NewServiceErrorCode,
  type NewServiceErrorOptions,
} from './errors.js';
export { DEFAULT_TUNING } from './options.js';
export type * from './types.js';
