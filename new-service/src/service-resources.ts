import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { NoReadCache, ReadCache } from './read-cache.js';
import type { ReadCacheHandle, ServiceContext, ServiceReadCacheOptions } from './types.js';

type Callback = () => void | Promise<void>;

/** What a service's `routes` function may use, started and stopped with the service. */
export class ServiceResources {
  readonly context: ServiceContext;
  readonly #caches: ReadCache<unknown>[] = [];
  readonly #onClose: Callback[] = [];
  readonly #logger: Logger;
  #started = false;

  constructor(pool: Pool, logger: Logger) {
    this.#logger = logger;
    this.context = {
      pool,
      logger,
      readCache: <V>(options: ServiceReadCacheOptions<V>): ReadCacheHandle<V> => {
        if (options.enabled === false) return new NoReadCache(options.read);
        const cache = new ReadCache<V>({
          pool,
          logger,
          channel: options.channel,
          read: options.read,
          ...(options.maxEntries === undefined ? {} : { maxEntries: options.maxEntries }),
          ...(options.maxAgeMs === undefined ? {} : { maxAgeMs: options.maxAgeMs }),
        });
        this.#caches.push(cache as ReadCache<unknown>);
        if (this.#started) cache.start();
        return cache;
      },
      onClose: (callback) => {
        this.#onClose.push(callback);
      },
    };
  }

  start(): void {
    this.#started = true;
    for (const cache of this.#caches) cache.start();
  }

  async close(): Promise<void> {
    for (const cache of this.#caches.splice(0)) await cache.stop();
    for (const callback of this.#onClose.splice(0)) {
      try {
        await callback();
      } catch (err) {
        this.#logger.error({ err }, 'an onClose callback failed');
      }
    }
  }
}
