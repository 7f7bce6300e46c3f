// The allocation service, built only on @strangler/new-service's public API: run it with the CLI
// (bin/allocation-service.js) or in-process with startAllocationService.
import {
  startService,
  type RunningService,
  type StartServiceOptions,
} from '@strangler/new-service';
import { bootstrap, type AllocationOptions } from './bootstrap.js';

export { bootstrap, DEFAULTS, type AllocationOptions } from './bootstrap.js';
export { allocationCli } from './cli.js';
export { translate } from './entrypoints/translate.js';
export { availabilityReport, readAvailability } from './views.js';
export type { AvailabilityReport, BatchAvailability } from './views.js';
export * as domain from './domain/index.js';

/** Options of {@link startAllocationService}: the kit's (database, Kafka, port...) and the service's. */
export type AllocationServiceOptions = Omit<
  StartServiceOptions,
  'consumers' | 'migrations' | 'routes' | 'http'
> &
  AllocationOptions;

/** Starts the allocation service in this process (tests, the demo runner). */
export function startAllocationService(options: AllocationServiceOptions): Promise<RunningService> {
  const { topic, group, readCache, eventHandlers, unitOfWork, source, ...kit } = options;
  const definition = bootstrap({
    ...(topic === undefined ? {} : { topic }),
    ...(group === undefined ? {} : { group }),
    ...(readCache === undefined ? {} : { readCache }),
    ...(eventHandlers === undefined ? {} : { eventHandlers }),
    ...(unitOfWork === undefined ? {} : { unitOfWork }),
    ...(source === undefined ? {} : { source }),
  });
  return startService({ ...definition, ...kit });
}
