/** What went wrong, as callers branch on it. */
export type NewServiceErrorCode =
  /** A bad option, flag or environment variable. */
  | 'config'
  /** A request the API refuses (400). */
  | 'bad_request'
  /** An unknown sku or route (404). */
  | 'not_found'
  /** The database (or Kafka) cannot be reached right now (503); trying again later may work. */
  | 'unavailable'
  /** A bug. */
  | 'internal';

const statusByCode: Record<NewServiceErrorCode, number> = {
  config: 500,
  bad_request: 400,
  not_found: 404,
  unavailable: 503,
  internal: 500,
};

/**
 * The package's error class. HTTP errors carry the status they are answered with; `retriable` says
 * whether the same call may succeed later. (The pure model raises `DomainRuleViolation`, which the
 * service layer turns into a dead letter: domain/ cannot import this file.)
 */
export class NewServiceError extends Error {
  readonly code: NewServiceErrorCode;
  /** HTTP status the error is answered with. */
  readonly status: number;
  readonly retriable: boolean;

  constructor(code: NewServiceErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NewServiceError';
    this.code = code;
    this.status = statusByCode[code];
    this.retriable = code === 'unavailable';
  }
}

export const badRequest = (message: string) => new NewServiceError('bad_request', message);
export const notFound = (message: string) => new NewServiceError('not_found', message);
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
