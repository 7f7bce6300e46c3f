import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { pgUnitOfWorkFactory } from './adapters/pgUnitOfWork.js';
import { eventConsumer } from './entrypoints/eventConsumer.js';
import { commandHandlers } from './serviceLayer/handlers.js';
import { MessageBus, type EventHandlers } from './serviceLayer/messageBus.js';
import type { UnitOfWorkFactory } from './serviceLayer/unitOfWork.js';

export interface BootstrapOptions {
  pool: Pool;
  logger: Logger;
  /** Topic the consumed messages come from (recorded with each event and checkpoint). */
  topic: string;
  /** Another unit of work (tests, a dry run); default: Postgres transactions on `pool`. */
  openUnitOfWork?: UnitOfWorkFactory;
  /** Handlers of the model's domain events; none are needed to keep the read model. */
  eventHandlers?: EventHandlers;
}

/**
 * The composition root (the book's bootstrap): every dependency is chosen here and injected, so
 * entry points and handlers never build their own.
 */
export function bootstrap(options: BootstrapOptions) {
  const openUnitOfWork = options.openUnitOfWork ?? pgUnitOfWorkFactory(options.pool);
  // Consumed events are replayable from Kafka: their transactions need not wait for the WAL flush.
  const consumeUnitOfWork =
    options.openUnitOfWork ?? pgUnitOfWorkFactory(options.pool, { replayable: true });
  const bus = new MessageBus(commandHandlers, options.eventHandlers ?? {}, options.logger);
  const { consume, consumeMany, counts } = eventConsumer(
    { openUnitOfWork: consumeUnitOfWork, bus },
    options.topic,
    options.logger,
  );
  return { bus, openUnitOfWork, consume, consumeMany, counts };
}

export type Bootstrapped = ReturnType<typeof bootstrap>;
