export { createApp } from './app.js';
export { startServer } from './server.js';
export { migrate } from './schema.js';
export { parseConfig, type MainConfig } from './config.js';
export { LegacyMonolithError, type LegacyMonolithErrorCode } from './errors.js';
export type {
  AllocationRow,
  AppOptions,
  AvailabilityBody,
  BatchBody,
  IsoDate,
  OrderLineBody,
  RunningServer,
  ServerOptions,
} from './types.js';
