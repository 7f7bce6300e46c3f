import type { Pool, PoolClient } from 'pg';
import type { Logger } from 'pino';
import { configError } from './errors.js';
import type { ReadCacheHandle } from './types.js';

/** Options of a {@link ReadCache}. */
export interface ReadCacheOptions<V> {
  pool: Pool;
  /** The NOTIFY channel writers signal a changed key on, in the changing transaction. */
  channel: string;
  /** Reads the value of a key from the database. */
  read: (key: string) => Promise<V>;
  logger: Logger;
  /** Most keys kept; the least recently read go first. Default 50,000. */
  maxEntries?: number;
  /** Safety net: an entry older than this is read again even without a change, ms. Default 60,000. */
  maxAgeMs?: number;
}

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Values read from the database held in memory per key, because a database round trip per read
 * cannot meet a tight read budget. Writers notify the key on `channel` in the changing transaction
 * (`tx.notify(channel, key)`); Postgres delivers after commit, to every instance, and the entry is
 * dropped. A read that raced a change (its query began before the change committed) is not kept:
 * each key has a generation that notifications bump. Without a working LISTEN connection nothing
 * is cached, so a lost notification can never leave a stale answer behind.
 */
export class ReadCache<V> implements ReadCacheHandle<V> {
  readonly #pool: Pool;
  readonly #channel: string;
  readonly #read: (key: string) => Promise<V>;
  readonly #log: Logger;
  readonly #maxEntries: number;
  readonly #maxAgeMs: number;
  readonly #entries = new Map<string, { value: V; at: number }>();
  readonly #generations = new Map<string, number>();
  #listener: PoolClient | undefined;
  #epoch = 0;
  #stopped = false;
  #retry: NodeJS.Timeout | undefined;

  constructor(options: ReadCacheOptions<V>) {
    if (!CHANNEL.test(options.channel)) {
      throw configError(
        `read cache channel "${options.channel}" must be a lower-case Postgres identifier (a-z 0-9 _)`,
      );
    }
    this.#pool = options.pool;
    this.#channel = options.channel;
    this.#read = options.read;
    this.#log = options.logger.child({ component: 'read-cache', channel: options.channel });
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

  async get(key: string): Promise<V> {
    if (!this.#listener) return this.#read(key);
    const hit = this.#entries.get(key);
    if (hit && performance.now() - hit.at < this.#maxAgeMs) {
      // Refresh the recency order for the bound on entries.
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      return hit.value;
    }
    const generation = this.#generations.get(key) ?? 0;
    const epoch = this.#epoch;
    const value = await this.#read(key);
    if (
      this.#listener &&
      epoch === this.#epoch &&
      generation === (this.#generations.get(key) ?? 0)
    ) {
      this.#entries.set(key, { value, at: performance.now() });
      if (this.#entries.size > this.#maxEntries) {
        this.#entries.delete(this.#entries.keys().next().value!);
      }
    }
    return value;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retry);
    const listener = this.#listener;
    this.#forget();
    if (listener) {
      await listener.query(`UNLISTEN ${this.#channel}`).catch(() => {});
      listener.release();
    }
  }

  #invalidate(key: string): void {
    this.#entries.delete(key);
    this.#generations.set(key, (this.#generations.get(key) ?? 0) + 1);
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
        if (n.channel === this.#channel && n.payload !== undefined) this.#invalidate(n.payload);
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
      await client.query(`LISTEN ${this.#channel}`);
      if (this.#stopped) {
        client.release();
        return;
      }
      this.#listener = client;
    } catch (err) {
      client?.release(err instanceof Error ? err : new Error(String(err)));
      if (attempt === 1 || attempt % 10 === 0) {
        this.#log.warn({ err, attempt }, 'cannot listen for changes yet; not caching');
      }
      this.#schedule(attempt + 1);
    }
  }

  #schedule(attempt: number): void {
    if (this.#stopped) return;
    this.#retry = setTimeout(() => void this.#listen(attempt), Math.min(100 * 2 ** attempt, 5000));
  }
}

/** A read cache that caches nothing (the `enabled: false` switch). */
export class NoReadCache<V> implements ReadCacheHandle<V> {
  readonly listening = false;
  readonly #read: (key: string) => Promise<V>;

  constructor(read: (key: string) => Promise<V>) {
    this.#read = read;
  }

  get(key: string): Promise<V> {
    return this.#read(key);
  }
}
