import { defineConsumer, type Transaction } from '@strangler/new-service';
import { allocationCatalog } from '../../catalog/index.js';
import { DomainRuleViolation } from '../domain/index.js';
import { CONSUMER_NAME, resetAllocationTables } from '../adapters/schema.js';
import type { MessageBus } from '../service-layer/message-bus.js';
import type { AllocationUnitOfWork } from '../service-layer/unit-of-work.js';
import { translate } from './translate.js';

export interface AllocationConsumerOptions {
  /** Topic of the allocation events. */
  topic: string;
  /** Kafka consumer group. */
  group: string;
  bus: MessageBus;
  /** The unit of work on the kit's transaction (the composition root chooses it). */
  unitOfWork: (tx: Transaction) => AllocationUnitOfWork;
}

/**
 * The event consumer entry point: each allocation event, exactly once (the kit's inbox and
 * checkpoint commit with the model's changes), translated into its command for the bus. A domain
 * rule the model enforces makes the event a dead letter with the rule's code.
 */
export function allocationConsumer(options: AllocationConsumerOptions) {
  const { bus } = options;
  return defineConsumer({
    name: CONSUMER_NAME,
    catalog: allocationCatalog,
    topic: options.topic,
    group: options.group,
    unitOfWork: options.unitOfWork,
    handle: (event, uow, context) =>
      bus.handle(translate(event, { replay: context.replay }), uow, context.log),
    beforeCommit: (uow) => uow.commit(),
    deadLetterWhen: (err) =>
      err instanceof DomainRuleViolation ? { code: err.code, message: err.message } : undefined,
    reset: resetAllocationTables,
  });
}
