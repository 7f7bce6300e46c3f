import type { Pool } from 'pg';
import type { Logger } from 'pino';

/** Options of {@link createApp}. */
export interface AppOptions {
  /** Pool on the legacy database. The app never ends it: whoever created it does. */
  pool: Pool;
  /** Where request logs and errors go. Default: pino at info level on stdout. */
  logger?: Logger;
}

/** Options of {@link startServer}. */
export interface ServerOptions {
  /**
   * Postgres connection string (`postgres://user:password@host:5432/db`) of the legacy database.
   * Required unless `pool` is given.
   */
  databaseUrl?: string;
  /** An existing pool to use instead of `databaseUrl`; the caller ends it, `close()` does not. */
  pool?: Pool;
  /** TCP port to listen on. Default 3000; 0 picks a free port (read it back from `port`). */
  port?: number;
  /** Interface to listen on. Default `0.0.0.0` (all IPv4 interfaces). */
  host?: string;
  /** Logger for start, stop, requests and errors. Default: pino at info level on stdout. */
  logger?: Logger;
  /** Create the schema (idempotently) before listening. Default true. */
  migrate?: boolean;
  /** Maximum connections of the pool made from `databaseUrl`. Default 10. */
  poolSize?: number;
  /**
   * How long `close()` lets requests in flight finish before cutting their connections, in
   * milliseconds. Default 10000.
   */
  shutdownGraceMs?: number;
}

/** A server started by {@link startServer}. */
export interface RunningServer {
  /** Base URL to call, e.g. `http://127.0.0.1:3000` (loopback when listening on all interfaces). */
  url: string;
  /** The port actually bound (useful with `port: 0`). */
  port: number;
  /** Stops accepting connections, lets requests in flight finish, then ends the pool it owns. */
  close(): Promise<void>;
}

/** A date as `YYYY-MM-DD`. */
export type IsoDate = string;

/** Body of `POST /batches` and `PATCH /batches/:ref` answers (before the noise fields). */
export interface BatchBody {
  ref: string;
  sku: string;
  qty: number;
  eta: IsoDate | null;
}

/** An order line as the API shows it. */
export interface OrderLineBody {
  orderid: string;
  sku: string;
  qty: number;
}

/** One element of `GET /allocations/:orderid`. */
export interface AllocationRow extends OrderLineBody {
  /** Reference of the batch the line is allocated to; null once it was deallocated. */
  batchref: string | null;
}

/** Body of `GET /products/:sku/availability` (before the noise fields). */
export interface AvailabilityBody {
  sku: string;
  requestedQty: number;
  /** Sum of `available` over warehouse batches (eta null). */
  availableNow: number;
  /** Sum of `available` over all batches. */
  totalAvailable: number;
  /** The sku's batches in allocation order. */
  batches: { ref: string; eta: IsoDate | null; available: number }[];
  /** Some single batch has `available >= requestedQty`. */
  canFulfil: boolean;
  /** When `requestedQty` units allocated now would arrive; null when `canFulfil` is false. */
  earliestDate: IsoDate | null;
}
