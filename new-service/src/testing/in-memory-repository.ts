/**
 * A repository held in a Map, for fakes: `get`, `add`, `list`, and `seen` (every item loaded or
 * added, as the book's repositories track them to collect their events).
 */
export class InMemoryRepository<T, K extends string | number = string> {
  readonly seen = new Set<T>();
  readonly #items = new Map<K, T>();
  readonly #keyOf: (item: T) => K;

  constructor(keyOf: (item: T) => K, items: Iterable<T> = []) {
    this.#keyOf = keyOf;
    for (const item of items) this.#items.set(keyOf(item), item);
  }

  async get(key: K): Promise<T | undefined> {
    const item = this.#items.get(key);
    if (item !== undefined) this.seen.add(item);
    return item;
  }

  add(item: T): void {
    this.#items.set(this.#keyOf(item), item);
    this.seen.add(item);
  }

  delete(key: K): boolean {
    return this.#items.delete(key);
  }

  /** Every item, in the order added. */
  list(): T[] {
    return [...this.#items.values()];
  }

  get size(): number {
    return this.#items.size;
  }
}
