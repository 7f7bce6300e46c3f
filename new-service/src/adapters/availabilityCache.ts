import type { Pool, PoolClient } from 'pg';
import type { Logger } from 'pino';
import type { BatchAvailability } from '../types.js';

/** The channel the repository notifies, in the transaction that changes a product. */
export const CHANGED_CHANNEL = 'strangler_availability';

type Read = (sku: string) => Promise<BatchAvailability[] | undefined>;

export interface AvailabilityCacheOptions {
  /** Most skus kept; the least recently read go first. Default 50,000. */
  maxEntries?: number;
  /** Safety net: an entry older than this is read again even without a change. Default 60 s. */
  maxAgeMs?: number;
  logger: Logger;
}

/**
 * Availability per sku held in memory, because a database round trip per read cannot meet the
 * read budget on a small machine. Entries are dropped when the product changes: the repository
 * NOTIFYs in the changing transaction, Postgres delivers after commit, to every instance of the
 * service. A read that raced a change (its query began before the change committed) is not kept:
 * each sku has a generation that notifications bump. Without a working LISTEN connection nothing
 * is cached at all, so a lost notification can never leave a stale answer behind.
 */
export class AvailabilityCache {
  readonly #pool: Pool;
  readonly #read: Read;
  readonly #log: Logger;
  readonly #maxEntries: number;
  readonly #maxAgeMs: number;
  readonly #entries = new Map<string, { value: BatchAvailability[] | undefined; at: number }>();
  readonly #generations = new Map<string, number>();
  #listener: PoolClient | undefined;
  #epoch = 0;
  #stopped = false;
  #retry: NodeJS.Timeout | undefined;

  constructor(pool: Pool, read: Read, options: AvailabilityCacheOptions) {
    this.#pool = pool;
    this.#read = read;
    this.#log = options.logger.child({ component: 'read-cache' });
    this.#maxEntries = options.maxEntries ?? 50_000;
    this.#maxAgeMs = options.maxAgeMs ?? 60_000;
  }

  /** Starts listening; until it listens (and whenever it does not), reads go to the database. */
  start(): void {
    void this.#listen(1);
  }

  get listening(): boolean {
    return this.#listener !== undefined;
  }

  async get(sku: string): Promise<BatchAvailability[] | undefined> {
    if (!this.#listener) return this.#read(sku);
    const hit = this.#entries.get(sku);
    if (hit && performance.now() - hit.at < this.#maxAgeMs) {
      // Refresh the recency order for the bound on entries.
      this.#entries.delete(sku);
      this.#entries.set(sku, hit);
      return hit.value;
    }
    const generation = this.#generations.get(sku) ?? 0;
    const epoch = this.#epoch;
    const value = await this.#read(sku);
    if (
      this.#listener &&
      epoch === this.#epoch &&
      generation === (this.#generations.get(sku) ?? 0)
    ) {
      this.#entries.set(sku, { value, at: performance.now() });
      if (this.#entries.size > this.#maxEntries)
        this.#entries.delete(this.#entries.keys().next().value!);
    }
    return value;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retry);
    const listener = this.#listener;
    this.#forget();
    if (listener) {
      await listener.query(`UNLISTEN ${CHANGED_CHANNEL}`).catch(() => {});
      listener.release();
    }
  }

  #invalidate(sku: string): void {
    this.#entries.delete(sku);
    this.#generations.set(sku, (this.#generations.get(sku) ?? 0) + 1);
  }

  /** Without notifications nothing cached can be trusted. */
  #forget(): void {
    this.#listener = undefined;
    this.#epoch += 1;
    this.#entries.clear();
    this.#generations.clear();
  }

  async #listen(attempt: number): Promise<void> {
    if (this.#stopped) return;
    let client: PoolClient | undefined;
    try {
      client = await this.#pool.connect();
      client.on('notification', (n) => {
        if (n.channel === CHANGED_CHANNEL && n.payload !== undefined) this.#invalidate(n.payload);
      });
      const lost = (err?: Error) => {
        if (this.#listener !== client) return;
        this.#log.warn(
          { err },
          'lost the change notifications; reading from the database until they are back',
        );
        this.#forget();
        client?.release(err ?? new Error('listener ended'));
        this.#schedule(1);
      };
      client.on('error', lost);
      client.on('end', () => lost());
      await client.query(`LISTEN ${CHANGED_CHANNEL}`);
      if (this.#stopped) {
        client.release();
        return;
      }
      this.#listener = client;
    } catch (err) {
      client?.release(err instanceof Error ? err : new Error(String(err)));
      if (attempt === 1 || attempt % 10 === 0)
        this.#log.warn({ err, attempt }, 'cannot listen for changes yet; not caching');
      this.#schedule(attempt + 1);
    }
  }

  #schedule(attempt: number): void {
    if (this.#stopped) return;
    this.#retry = setTimeout(() => void this.#listen(attempt), Math.min(100 * 2 ** attempt, 5000));
  }
}
