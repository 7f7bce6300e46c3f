/** What went wrong, as callers branch on it. */
export type NewServiceErrorCode =
  /** A bad option, flag or environment variable. */
  | 'config'
  /** A request the API refuses (400). */
  | 'bad_request'
  /** An unknown resource or route (404). */
  | 'not_found'
  /** The request conflicts with the current state, e.g. a rebuild while the group consumes (409). */
  | 'conflict'
  /**
   * An aggregate changed between its load and its save (optimistic concurrency): the command
   * runner runs the command again on the new state; past its attempts, 409. Retriable.
   */
  | 'version_conflict'
  /**
   * A command or event the model refuses by a rule: the same input against the same state always
   * fails the same way. Thrown by a handler, the consumed event becomes a dead letter whose reason
   * code is the error's `reason`; answered over HTTP as 422.
   */
  | 'rejected'
  /** The database (or Kafka) cannot be reached right now (503); trying again later may work. */
  | 'unavailable'
  /** A bug. */
  | 'internal';

const statusByCode: Record<NewServiceErrorCode, number> = {
  config: 500,
  bad_request: 400,
  not_found: 404,
  conflict: 409,
  version_conflict: 409,
  rejected: 422,
  unavailable: 503,
  internal: 500,
};

/** Options of a {@link NewServiceError}. */
export interface NewServiceErrorOptions {
  cause?: unknown;
  /** A machine-readable reason, e.g. `insufficient_funds`: a dead letter's reason code, an HTTP body's `code`. */
  reason?: string;
  /** Structured context, stored with a dead letter. */
  details?: unknown;
  /** HTTP status to answer with instead of the code's. */
  status?: number;
}

/**
 * The package's one error class. `status` is the HTTP status it is answered with; `retriable`
 * says whether the same call may succeed later. Handlers throw it (`rejected(...)`) to refuse an
 * event for good; routes throw it (`badRequest`, `notFound`) to answer an error.
 */
export class NewServiceError extends Error {
  readonly code: NewServiceErrorCode;
  /** HTTP status the error is answered with. */
  readonly status: number;
  readonly retriable: boolean;
  /** Machine-readable reason (dead-letter code, HTTP `code` field). */
  readonly reason: string | undefined;
  readonly details: unknown;

  constructor(code: NewServiceErrorCode, message: string, options: NewServiceErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'NewServiceError';
    this.code = code;
    this.status = options.status ?? statusByCode[code];
    this.retriable = code === 'unavailable' || code === 'version_conflict';
    this.reason = options.reason;
    this.details = options.details;
  }
}

/** A 400 answer with this message. */
export const badRequest = (message: string) => new NewServiceError('bad_request', message);
/** A 404 answer with this message. */
export const notFound = (message: string) => new NewServiceError('not_found', message);
/**
 * Refuses an event or command for good: thrown by a consumer's handler, the event becomes a dead
 * letter with reason `reason` (and never blocks its partition); over HTTP a 422.
 */
export const rejected = (reason: string, message: string, details?: unknown) =>
  new NewServiceError('rejected', message, { reason, details });
/**
 * Thrown by a repository whose save found the aggregate at another version than it loaded (e.g.
 * `UPDATE ... WHERE id = $1 AND version = $loaded` changed no row): the command runner runs the
 * command again from the start, on the state the other writer left.
 */
export const versionConflict = (message: string, details?: unknown) =>
  new NewServiceError('version_conflict', message, { reason: 'version_conflict', details });
export const configError = (message: string) => new NewServiceError('config', message);

/** The SQLSTATE (or Node errno code) of an error, or '' for anything else. */
export function sqlState(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') {
    return err.code;
  }
  return '';
}

const UNREACHABLE_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EPIPE',
]);

/** Errors that say the database could not be reached, as opposed to a bad query. */
export function isDatabaseUnavailable(err: unknown): boolean {
  const state = sqlState(err);
  if (UNREACHABLE_ERRNO.has(state)) return true;
  // 08: connection exception; 57P01-03: shutting down / cannot connect now; 53300: too many.
  if (state.startsWith('08') || /^57P0[123]$/.test(state) || state === '53300') return true;
  const message = err instanceof Error ? err.message : '';
  return /timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error|Cannot use a pool after calling end/i.test(
    message,
  );
}

/** An error's message, whatever was thrown. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
