import { UNCHANGED_TOAST, type Row } from '../pg/pgoutput.js';
import type { CapturedChange } from './types.js';

const MAX_VALUE = 60;
const MAX_COLUMNS = 16;

/** Why a change could not be mapped: a code for machines, one line for people. */
export interface MappingFailure {
  /** The error's own `code` (`INVALID_DATA`, `INVALID_COLUMN`, ...), else `MAPPER_THREW`. */
  code: string;
  reason: string;
}

export function failureOf(e: unknown): MappingFailure {
  const code = (e as { code?: unknown } | null)?.code;
  const message = e instanceof Error ? e.message : String(e);
  return { code: typeof code === 'string' ? code : 'MAPPER_THREW', reason: oneLine(message) };
}

/** Collapses line breaks, so a log line or an exit message stays one line. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ');
}

/** A row as short JSON for an error line: long values cut, many columns cut, TOAST marked. */
export function rowPreview(row: Row | null): string {
  if (row === null) return 'null';
  const names = Object.keys(row);
  const shown: Record<string, string | null> = {};
  for (const name of names.slice(0, MAX_COLUMNS)) {
    const value = row[name];
    shown[name] =
      value === UNCHANGED_TOAST
        ? '<unchanged TOAST>'
        : typeof value === 'string' && value.length > MAX_VALUE
          ? `${value.slice(0, MAX_VALUE)}...(${value.length} chars)`
          : (value ?? null);
  }
  const more = names.length > MAX_COLUMNS ? ` (+${names.length - MAX_COLUMNS} columns)` : '';
  return `${JSON.stringify(shown)}${more}`;
}

/** `insert on public.t`, `snapshot row of public.t`, `truncate of public.a, public.b`. */
export function changeLabel(change: CapturedChange): string {
  if (change.kind === 'truncate') return `truncate of ${change.tables.join(', ')}`;
  if (change.kind === 'insert' && change.snapshot) return `snapshot row of ${change.table}`;
  return `${change.kind} on ${change.table}`;
}

/** The row a person needs to find the change: the new row, or the old one for a delete. */
export function rowOf(change: CapturedChange): Row | null {
  if (change.kind === 'truncate') return null;
  return change.kind === 'delete' ? change.old : change.row;
}
