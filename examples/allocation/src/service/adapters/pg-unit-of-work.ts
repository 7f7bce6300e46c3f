import type { Transaction } from '@strangler/new-service';
import type { DomainEvent } from '../domain/index.js';
import type { AllocationUnitOfWork } from '../service-layer/unit-of-work.js';
import { PgProductRepository } from './product-repository.js';

/** The unit of work on the kit's transaction: the repository's changes are written by `commit()`. */
export class PgAllocationUnitOfWork implements AllocationUnitOfWork {
  readonly products: PgProductRepository;
  readonly #tx: Transaction;

  constructor(tx: Transaction) {
    this.#tx = tx;
    this.products = new PgProductRepository(tx);
  }

  commit(): Promise<void> {
    return this.products.flush();
  }

  collectNewEvents(): DomainEvent[] {
    return this.products.collectNewEvents();
  }

  savepoint<T>(work: () => Promise<T>): Promise<T> {
    return this.#tx.savepoint(work);
  }
}
