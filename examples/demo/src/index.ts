export {
  PostgresAccessError,
  startEmbeddedPostgres,
  type PostgresOptions,
  type RunningPostgres,
} from './postgres.js';
export { freePort } from './free-port.js';
export { portIsFree, waitForHttp, waitForPort } from './wait.js';
