/** What went wrong, for callers that branch on it. */
export type ApacheKafkaErrorCode =
  | 'BAD_OPTION'
  | 'JAVA_MISSING'
  | 'FETCH_FAILED'
  | 'FORMAT_FAILED'
  | 'START_FAILED'
  | 'START_TIMEOUT';

/** The one error class of this package. */
export class ApacheKafkaError extends Error {
  override readonly name = 'ApacheKafkaError';
  constructor(
    readonly code: ApacheKafkaErrorCode,
    message: string,
  ) {
    super(message);
  }
}
