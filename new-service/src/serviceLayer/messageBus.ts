import type { Logger } from 'pino';
import type { Command, DomainEvent, DomainEventType } from '../domain/index.js';
import type { CommandHandler, CommandHandlers, HandlerResult } from './handlers.js';
import type { UnitOfWork } from './unitOfWork.js';

export type EventHandler<E extends DomainEvent = DomainEvent> = (
  event: E,
  uow: UnitOfWork,
) => Promise<void>;

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
  readonly #logger: Logger;

  constructor(commandHandlers: CommandHandlers, eventHandlers: EventHandlers, logger: Logger) {
    this.#commandHandlers = commandHandlers;
    this.#eventHandlers = eventHandlers;
    this.#logger = logger;
  }

  async handle(command: Command, uow: UnitOfWork): Promise<HandlerResult> {
    // The mapped type guarantees each handler takes its own command; TypeScript cannot follow
    // the correlation through the index, hence the widening.
    const handler = this.#commandHandlers[command.type] as CommandHandler;
    const result = await handler(command, uow);
    const queue = uow.collectNewEvents();
    for (let event = queue.shift(); event; event = queue.shift()) {
      await this.#dispatch(event, uow);
      queue.push(...uow.collectNewEvents());
    }
    return result;
  }

  async #dispatch(event: DomainEvent, uow: UnitOfWork): Promise<void> {
    const handlers = (this.#eventHandlers[event.type] ?? []) as EventHandler[];
    this.#logger.debug({ event, handlers: handlers.length }, 'domain event');
    for (const handler of handlers) {
      try {
        await uow.savepoint(() => handler(event, uow));
      } catch (err) {
        this.#logger.error({ err, event }, 'event handler failed; continuing');
      }
    }
  }
}
