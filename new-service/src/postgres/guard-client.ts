import type { PoolClient } from 'pg';

/**
 * A checked-out client has no 'error' listener of the pool's: a connection lost between two
 * queries would otherwise be an uncaught exception. The next query fails and says so anyway.
 */
const guarded = new WeakSet<PoolClient>();

export function guardClient(client: PoolClient): PoolClient {
  if (!guarded.has(client)) {
    guarded.add(client);
    client.on('error', () => {});
  }
  return client;
}
