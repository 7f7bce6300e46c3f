import { parseArgs } from 'node:util';
import { messageOf, usageError } from './json-file.js';
import type { CompatibilityMode } from './types.js';

/** A command line, checked. Paths are as given (relative to the working directory). */
export type CommandLine =
  | { command: 'help' }
  | {
      command: 'check';
      catalog: string;
      snapshots?: string;
      mode: CompatibilityMode;
      allowUnreleased: boolean;
    }
  | { command: 'snapshot'; catalog: string; snapshots?: string }
  | {
      command: 'export';
      catalog: string;
      out?: string;
      topics: string[];
      docVersion?: string;
      check: boolean;
    };

const OPTIONS = {
  catalog: { type: 'string' },
  snapshots: { type: 'string' },
  mode: { type: 'string' },
  'allow-unreleased': { type: 'boolean' },
  out: { type: 'string' },
  topic: { type: 'string', multiple: true },
  'doc-version': { type: 'string' },
  check: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Which options each command takes; any other is refused, so a typo never passes silently. */
const ALLOWED: Record<string, readonly string[]> = {
  check: ['catalog', 'snapshots', 'mode', 'allow-unreleased'],
  snapshot: ['catalog', 'snapshots'],
  export: ['catalog', 'out', 'topic', 'doc-version', 'check'],
};

/** @throws EventSchemaError `INVALID_ARGUMENT` naming the flag and the fix (exit code 2). */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw usageError(messageOf(error));
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) return { command: 'help' };
  const [command, ...extra] = positionals;
  const allowed = ALLOWED[command ?? ''];
  if (allowed === undefined) {
    throw usageError(`unknown command "${command}": use check, snapshot or export`);
  }
  if (extra.length > 0) throw usageError(`unexpected argument "${extra[0]}"`);
  for (const name of Object.keys(values)) {
    if (!allowed.includes(name)) throw usageError(`${command} takes no --${name}`);
  }
  if (values.catalog === undefined || values.catalog === '') {
    throw usageError(`${command} needs --catalog FILE: the built JS module exporting your catalog`);
  }
  const catalog = values.catalog;
  switch (command) {
    case 'check':
      return {
        command,
        catalog,
        ...(values.snapshots === undefined ? {} : { snapshots: values.snapshots }),
        mode: modeOf(values.mode),
        allowUnreleased: values['allow-unreleased'] === true,
      };
    case 'snapshot':
      return {
        command,
        catalog,
        ...(values.snapshots === undefined ? {} : { snapshots: values.snapshots }),
      };
    default:
      return {
        command: 'export',
        catalog,
        ...(values.out === undefined ? {} : { out: values.out }),
        topics: values.topic ?? [],
        ...(values['doc-version'] === undefined ? {} : { docVersion: values['doc-version'] }),
        check: values.check === true,
      };
  }
}

/**
 * Confluent's names, any case. The `_TRANSITIVE` variants mean the same here: every released
 * version is checked against its own snapshot, and older versions reach the current one through
 * upcasters rather than through schema compatibility.
 */
function modeOf(value: string | undefined): CompatibilityMode {
  if (value === undefined) return 'BACKWARD';
  const mode = value.toUpperCase().replace(/_TRANSITIVE$/, '');
  if (mode === 'BACKWARD' || mode === 'FORWARD' || mode === 'FULL') return mode;
  throw usageError(`--mode ${value}: use BACKWARD (default), FORWARD or FULL`);
}

export const USAGE = `Usage: strangler-schemas <command> --catalog FILE [options]

Commands:
  check      compare the catalog with its released snapshots and replay the golden fixtures
  snapshot   record every version without a snapshot as released (never overwrites one)
  export     write JSON Schema (draft-07), an AsyncAPI 3.0 document and a markdown catalog

Options:
  --catalog FILE      the built JS module whose default export (or "catalog") is the catalog
  --snapshots DIR     check, snapshot: released snapshots (default <package>/schemas)
  --mode MODE         check: BACKWARD (default), FORWARD or FULL, any case
  --allow-unreleased  check: versions without a snapshot are notes, not failures
  --out DIR           export: output folder (default <package>/docs/events)
  --topic NAME        export: Kafka topic of the events, repeatable (default <catalog name>.events)
  --doc-version V     export: AsyncAPI info.version (default the package's version)
  --check             export: write nothing; exit 1 naming the files that are out of date
  -h, --help          this text

<package> is the folder of the nearest package.json (with a name) above the catalog file.
Exit codes: 0 passed, 1 a break or stale files, 2 bad usage or the command could not run.`;
