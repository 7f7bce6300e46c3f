/**
 * The book's FakeUnitOfWork, as a base for the user's: no database, a `committed` flag. Extend it
 * with in-memory repositories implementing the same ports as the Postgres ones:
 *
 * ```ts
 * class FakeShopUnitOfWork extends FakeUnitOfWork implements ShopUnitOfWork {
 *   readonly orders = new InMemoryRepository<Order>((o) => o.id);
 * }
 * ```
 */
export class FakeUnitOfWork {
  /** True once `commit()` was called (`ConsumerSpec` resets it before the event under test). */
  committed = false;
  /** How many times `commit()` was called. */
  commits = 0;

  /** Records the commit; in the Postgres unit of work this writes pending changes. */
  async commit(): Promise<void> {
    this.committed = true;
    this.commits += 1;
  }

  /** Runs `work`. Unlike a database savepoint it undoes nothing if `work` throws. */
  savepoint<T>(work: () => Promise<T>): Promise<T> {
    return work();
  }
}
