import { join, resolve } from 'node:path';
import { EventSchemaError } from '../errors.js';
import { parseCommandLine, USAGE } from './args.js';
import { runCheck } from './commands/check-command.js';
import { runExport } from './commands/export-command.js';
import { processOutput, type Output } from './commands/output.js';
import { runSnapshot } from './commands/snapshot-command.js';
import { loadCatalog } from './load-catalog.js';
import { packageDefaults } from './package-defaults.js';

/**
 * Runs `strangler-schemas <command> ...` and returns the exit code: 0 passed, 1 a compatibility
 * break or stale files, 2 bad usage or a command that could not run (the message says why).
 */
export async function runCli(argv: readonly string[], output: Output = processOutput) {
  let line;
  try {
    line = parseCommandLine(argv);
  } catch (error) {
    output.err(`strangler-schemas: ${(error as Error).message}`);
    output.err('Run strangler-schemas --help for usage.');
    return 2;
  }
  try {
    if (line.command === 'help') {
      output.out(USAGE);
      return 0;
    }
    const catalog = await loadCatalog(line.catalog);
    const defaults = await packageDefaults(resolve(line.catalog));
    switch (line.command) {
      case 'check':
        return await runCheck(
          catalog,
          {
            snapshotsDir: resolve(line.snapshots ?? join(defaults.root, 'schemas')),
            mode: line.mode,
            allowUnreleased: line.allowUnreleased,
          },
          output,
        );
      case 'snapshot':
        return await runSnapshot(
          catalog,
          resolve(line.snapshots ?? join(defaults.root, 'schemas')),
          output,
        );
      case 'export': {
        const rerun = ['strangler-schemas', ...argv.filter((arg) => arg !== '--check')].join(' ');
        return await runExport(
          catalog,
          {
            out: resolve(line.out ?? join(defaults.root, 'docs', 'events')),
            topics: line.topics,
            version: line.docVersion ?? defaults.version,
            check: line.check,
            rerun,
          },
          output,
        );
      }
      default: {
        const unhandled: never = line;
        throw new Error(`unhandled command ${JSON.stringify(unhandled)}`);
      }
    }
  } catch (error) {
    if (error instanceof EventSchemaError) {
      output.err(`strangler-schemas: ${error.message}`);
      return 2;
    }
    output.err(`strangler-schemas: could not run: ${(error as Error)?.stack ?? String(error)}`);
    return 2;
  }
}
