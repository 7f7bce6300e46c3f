import { EventSchemaError } from '../errors.js';
import type { ParseResult } from '../types.js';

// Helpers for this package's specs: get at the error a call throws or a parse result carries, so
// a spec can assert on its code, message and issues.

/** The EventSchemaError `run` throws; anything else (or nothing) fails the spec. */
export function thrown(run: () => unknown): EventSchemaError {
  try {
    run();
  } catch (error) {
    if (error instanceof EventSchemaError) return error;
    throw error;
  }
  throw new Error('expected an EventSchemaError, but nothing was thrown');
}

/** The error of a refused parse; an accepted one fails the spec. */
export function refusal(result: ParseResult<unknown>): EventSchemaError {
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.event)}`);
  return result.error;
}

/** The message of the plain Error `run` throws (a broken definition or catalog). */
export function thrownMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof Error && !(error instanceof EventSchemaError)) return error.message;
    throw error;
  }
  throw new Error('expected an Error, but nothing was thrown');
}
