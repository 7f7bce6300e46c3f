import type { DomainEvent, Product } from '../domain/index.js';

// The ports the service layer declares (the book's abstract repository and unit of work); the
// adapters implement them on the kit's transaction, the specs with in-memory fakes.

/** The book's repository: aggregates in and out, nothing else. */
export interface ProductRepository {
  /** The product with its batches and lines, locked for the rest of the unit of work. */
  get(sku: string): Promise<Product | undefined>;
  /** A new product, written when the unit of work commits. */
  add(product: Product): void;
  /** The sku of the batch with this reference, whichever product holds it (references are global). */
  skuOfBatch(ref: string): Promise<string | undefined>;
}

/**
 * One unit of work of the allocation service. The kit owns the database transaction: `commit()`
 * writes the loaded aggregates' changes into it, and the kit commits the transaction afterwards,
 * with the event's inbox entry and checkpoint.
 */
export interface AllocationUnitOfWork {
  readonly products: ProductRepository;
  /** Writes the loaded aggregates' changes. */
  commit(): Promise<void>;
  /** Drains the events the loaded aggregates raised since the last call. */
  collectNewEvents(): DomainEvent[];
  /** Runs `work` in a savepoint: if it throws, only its own writes are undone. */
  savepoint<T>(work: () => Promise<T>): Promise<T>;
}
