/** What went wrong, as callers branch on it. */
export type LegacyMonolithErrorCode =
  | 'bad_request'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'unavailable'
  | 'config';

const statusByCode: Record<LegacyMonolithErrorCode, number> = {
  bad_request: 400,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unavailable: 503,
  config: 500,
};

/**
 * The package's one error class. Request errors carry the HTTP status they are answered with;
 * `config` errors come from bad flags or environment at start.
 */
export class LegacyMonolithError extends Error {
  readonly code: LegacyMonolithErrorCode;
  /** HTTP status the error is answered with. */
  readonly status: number;
  /** True when the same request may succeed later (the database was unreachable). */
  readonly retriable: boolean;

  constructor(code: LegacyMonolithErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LegacyMonolithError';
    this.code = code;
    this.status = statusByCode[code];
    this.retriable = code === 'unavailable';
  }
}

export const badRequest = (message: string) => new LegacyMonolithError('bad_request', message);
export const notFound = (message: string) => new LegacyMonolithError('not_found', message);
export const conflict = (message: string) => new LegacyMonolithError('conflict', message);
