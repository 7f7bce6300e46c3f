import type { CompatibilityDirection, SchemaBreak } from '../types.js';

/** The event version a break belongs to, as the message names it. */
export interface VersionLabel {
  name: string;
  version: number;
  type: string;
}

/** `AccountOpened v1 (com.example.bank.account_opened.v1)` */
export function labelOf(event: VersionLabel): string {
  return `${event.name} v${event.version} (${event.type})`;
}

/**
 * One line per break: the event, the field, the direction, what changed from the released
 * snapshot to the current catalog, what it breaks, and the fix. BACKWARD compares the current
 * reader with the released writer; FORWARD the released reader with the current writer.
 */
export function describeBreak(
  event: VersionLabel,
  found: SchemaBreak,
  direction: CompatibilityDirection,
): string {
  const backward = direction === 'BACKWARD';
  const released = backward ? found.writer : found.reader;
  const current = backward ? found.reader : found.writer;
  const change = changeOf(found, backward, released, current);
  const consequence = backward
    ? 'events written before cannot be read'
    : 'consumers still on the released schema cannot read new events';
  const next = `v${event.version + 1}`;
  const fix =
    backward && found.rule === 'required' && found.writer === 'absent'
      ? `Make it optional, or publish ${next} with previous + upcast.`
      : `Undo the change, or publish ${next} with previous + upcast.`;
  return `${labelOf(event)}: ${found.path}: ${direction}: ${change}; ${consequence}. ${fix}`;
}

function changeOf(
  found: SchemaBreak,
  backward: boolean,
  released: string | undefined,
  current: string | undefined,
): string {
  switch (found.rule) {
    case 'required':
      if (found.writer === 'optional') return backward ? 'made required' : 'made optional';
      return backward
        ? 'added as required'
        : 'no longer written, but the released schema requires it';
    case 'type':
      return `type changed from ${released} to ${current}`;
    case 'nullable':
      return backward ? 'null no longer accepted' : 'may now be null';
    case 'enum':
      if (found.writer === undefined) {
        return backward
          ? `${found.keyword} added: only ${found.reader} accepted`
          : `${found.keyword} ${found.reader} no longer enforced`;
      }
      return backward
        ? `${found.keyword} narrowed: ${found.writer} no longer accepted`
        : `${found.keyword} widened: may now be ${found.writer}`;
    case 'bound':
      return `${found.keyword} changed from ${released ?? 'none'} to ${current ?? 'none'}`;
    case 'pattern':
    case 'format':
      if (released === undefined) return `${found.rule} added: ${current}`;
      if (current === undefined) return `${found.rule} removed (was ${released})`;
      return `${found.rule} changed from ${released} to ${current}`;
    case 'closed':
      if (found.keyword === 'field') {
        return backward
          ? 'no longer declared, and the schema refuses unknown fields'
          : 'added, but the released schema refuses unknown fields';
      }
      return backward
        ? 'now refuses unknown fields'
        : 'may now carry unknown fields, which the released schema refuses';
    case 'unproven':
      return `changed in a way the check cannot prove compatible (${found.keyword})`;
    default: {
      const unhandled: never = found.rule;
      return String(unhandled);
    }
  }
}
