import {
  createCommandRunner,
  type ServiceDefinition,
  type Transaction,
} from '@strangler/new-service';
import { allocationCatalog } from '../catalog/index.js';
import { writeRoutes } from './entrypoints/http/write-routes.js';
import { CHANGED_CHANNEL } from './adapters/changes.js';
import { PgAllocationUnitOfWork } from './adapters/pg-unit-of-work.js';
import { ALLOCATION_MIGRATIONS } from './adapters/schema.js';
import { allocationConsumer } from './entrypoints/event-consumer.js';
import { legacyNoise } from './entrypoints/http/noise.js';
import { allocationRoutes } from './entrypoints/http/routes.js';
import { commandHandlers } from './service-layer/handlers.js';
import { MessageBus, type EventHandlers } from './service-layer/message-bus.js';
import type { AllocationUnitOfWork } from './service-layer/unit-of-work.js';
import { readAvailability } from './views.js';

export const DEFAULTS = {
  topic: 'allocation.events',
  group: 'new-service',
  source: '/services/allocation',
} as const;

/** What the allocation service can be configured with (flags and environment in main.ts). */
export interface AllocationOptions {
  /** Topic of the allocation events. Default `allocation.events`. */
  topic?: string;
  /** Kafka consumer group. Default `new-service`. */
  group?: string;
  /**
   * Keep availability answers in memory, dropped when Postgres notifies a change of the product
   * (every instance listens). Default true.
   */
  readCache?: boolean;
  /** Handlers of the model's domain events; none are needed to keep the read model. */
  eventHandlers?: EventHandlers;
  /** Another unit of work (a dry run, a test); default: the Postgres one on the kit's transaction. */
  unitOfWork?: (tx: Transaction) => AllocationUnitOfWork;
  /** CloudEvents source of the events its commands write to the outbox. Default `/services/allocation`. */
  source?: string;
}

/**
 * The composition root (the book's bootstrap): every dependency is chosen here and injected, so
 * entry points and handlers never build their own. Returns the service for the kit to run.
 */
export function bootstrap(options: AllocationOptions = {}): ServiceDefinition {
  const bus = new MessageBus(commandHandlers, options.eventHandlers ?? {});
  const unitOfWork = options.unitOfWork ?? ((tx: Transaction) => new PgAllocationUnitOfWork(tx));
  const consumer = allocationConsumer({
    topic: options.topic ?? DEFAULTS.topic,
    group: options.group ?? DEFAULTS.group,
    bus,
    unitOfWork,
  });
  return {
    name: 'allocation-service',
    consumers: [consumer],
    migrations: ALLOCATION_MIGRATIONS,
    http: { finalizeReply: legacyNoise },
    // A busy legacy system never stops writing, so "every event applied" may never hold at the
    // moment a switch is asked for: ready while no more than a second behind the legacy commits.
    readiness: { maxBehindMs: 1000 },
    routes: ({ pool, logger, readCache }) => [
      ...allocationRoutes({
        availability: readCache({
          channel: CHANGED_CHANNEL,
          read: (sku) => readAvailability(pool, sku),
          enabled: options.readCache ?? true,
        }),
      }),
      // Served once the proxy moves the write group here: commands with their events in the
      // outbox, which the legacy adapter's outbox mode publishes.
      ...writeRoutes(
        createCommandRunner({
          pool,
          logger,
          catalog: allocationCatalog,
          source: options.source ?? DEFAULTS.source,
          unitOfWork,
          beforeCommit: (uow) => uow.commit(),
          // Writers of one sku race (the product is saved only at the version it was loaded at);
          // every round has a winner, so n concurrent writers of a sku need at most n attempts.
          maxAttempts: 10,
        }),
      ),
    ],
  };
}
