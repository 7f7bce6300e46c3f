export {
  PostgresAccessError,
  startEmbeddedPostgres,
  type PostgresOptions,
  type RunningPostgres,
} from './postgres.js';
export { freeDemoPorts, freePort } from './free-port.js';
export { portIsFree, waitForHttp, waitForPort } from './wait.js';
