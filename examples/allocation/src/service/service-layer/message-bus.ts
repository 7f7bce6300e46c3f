import type { Command, DomainEvent, DomainEventType } from '../domain/index.js';
import type { CommandHandler, CommandHandlers, HandlerResult } from './handlers.js';
import type { AllocationUnitOfWork } from './unit-of-work.js';

export type EventHandler<E extends DomainEvent = DomainEvent> = (
  event: E,
  uow: AllocationUnitOfWork,
) => Promise<void>;

/** Where the bus logs (a pino logger fits): the consumer hands its per-event logger in. */
export interface BusLog {
  debug(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export type EventHandlers = {
  [K in DomainEventType]?: EventHandler<Extract<DomainEvent, { type: K }>>[];
};

/**
 * The book's message bus. A command has exactly one handler and its failure is raised to the
 * caller (the unit of work then rolls back). The domain events it raised go to their handlers
 * afterwards, each in a savepoint of the same unit of work: a failing event handler is logged and
 * undone alone, and the rest continue.
 */
export class MessageBus {
  readonly #commandHandlers: CommandHandlers;
  readonly #eventHandlers: EventHandlers;

  constructor(commandHandlers: CommandHandlers, eventHandlers: EventHandlers = {}) {
    this.#commandHandlers = commandHandlers;
    this.#eventHandlers = eventHandlers;
  }

  async handle(command: Command, uow: AllocationUnitOfWork, log: BusLog): Promise<HandlerResult> {
    // The mapped type guarantees each handler takes its own command; TypeScript cannot follow
    // the correlation through the index, hence the widening.
    const handler = this.#commandHandlers[command.type] as CommandHandler;
    const result = await handler(command, uow);
    const queue = uow.collectNewEvents();
    for (let event = queue.shift(); event; event = queue.shift()) {
      await this.#dispatch(event, uow, log);
      queue.push(...uow.collectNewEvents());
    }
    return result;
  }

  async #dispatch(event: DomainEvent, uow: AllocationUnitOfWork, log: BusLog): Promise<void> {
    const handlers = (this.#eventHandlers[event.type] ?? []) as EventHandler[];
    log.debug({ event, handlers: handlers.length }, 'domain event');
    for (const handler of handlers) {
      try {
        await uow.savepoint(() => handler(event, uow));
      } catch (err) {
        log.error({ err, event }, 'event handler failed; continuing');
      }
    }
  }
}
