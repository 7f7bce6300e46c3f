// The book's fakes (excluded from the build): the service layer's ports in memory, for handler
// tests through the kit's ConsumerSpec without a database or Kafka.
import { FakeUnitOfWork, InMemoryRepository } from '@strangler/new-service/testing';
import type { DomainEvent, Product } from '../domain/index.js';
import type { AllocationUnitOfWork, ProductRepository } from '../service-layer/unit-of-work.js';

export class FakeProductRepository implements ProductRepository {
  readonly #products = new InMemoryRepository<Product>((p) => p.sku);

  get(sku: string): Promise<Product | undefined> {
    return this.#products.get(sku);
  }

  add(product: Product): void {
    this.#products.add(product);
  }

  async skuOfBatch(ref: string): Promise<string | undefined> {
    return this.#products.list().find((p) => p.batch(ref))?.sku;
  }

  get seen(): ReadonlySet<Product> {
    return this.#products.seen;
  }
}

export class FakeAllocationUnitOfWork extends FakeUnitOfWork implements AllocationUnitOfWork {
  readonly products = new FakeProductRepository();

  collectNewEvents(): DomainEvent[] {
    return [...this.products.seen].flatMap((product) => product.events.splice(0));
  }
}
