export { startProxy } from './server/start-proxy.js';
export { strangler } from './middleware/strangler.js';
export { ProxyError, type ConfigIssue, type ProxyErrorCode } from './errors.js';
export {
  loadConfigFile,
  parseConfigText,
  loadConfigObject,
  type LoadedConfig,
} from './config/load.js';
export { configJsonSchema } from './config/json-schema.js';
export { configSchema, MODES } from './config/schema.js';
export { signOverride, verifyOverride } from './routing/override.js';
export { bucketOf, inCanary } from './routing/bucket.js';
export type * from './types.js';
export { JsonlStore, readStore } from './shadow/store/jsonl.js';
export type { MismatchStore, StoredMismatch } from './shadow/store/record.js';
export { replayMismatches, type ReplayOptions, type ReplayResult } from './shadow/replay.js';
export { SKIP_REASONS, explainSkips } from './shadow/skip-reasons.js';
