import type { EventIssue, EventSchemaErrorCode, EventSchemaErrorDetails } from './types.js';

/**
 * The package's one error class. `code` says which stage refused the event, `details.issues` says
 * which field failed and why, in a form a dead-letter table can store as it is.
 *
 * Never retriable: the same bytes fail the same way on every attempt, so a consumer dead-letters
 * the message and moves on instead of retrying it.
 */
export class EventSchemaError extends Error {
  readonly code: EventSchemaErrorCode;
  readonly details: EventSchemaErrorDetails;
  /** Always false: a malformed event stays malformed. */
  readonly retriable = false;

  constructor(
    code: EventSchemaErrorCode,
    summary: string,
    details: Partial<EventSchemaErrorDetails> = {},
    options?: { cause?: unknown },
  ) {
    const issues = details.issues ?? [];
    const path = details.path ?? issues[0]?.path;
    super(composeMessage(summary, issues), options);
    this.name = 'EventSchemaError';
    this.code = code;
    this.details = { ...details, issues, ...(path === undefined ? {} : { path }) };
  }

  /** A plain object for logs and dead-letter rows (`Error` itself serialises to `{}`). */
  toJSON(): {
    name: string;
    code: EventSchemaErrorCode;
    message: string;
  } & EventSchemaErrorDetails {
    return { name: this.name, code: this.code, message: this.message, ...this.details };
  }
}

function composeMessage(summary: string, issues: readonly EventIssue[]): string {
  if (issues.length === 0) return summary;
  const listed = issues.map((issue) =>
    issue.path ? `${issue.path}: ${issue.message}` : issue.message,
  );
  return `${summary}: ${listed.join('; ')}`;
}
