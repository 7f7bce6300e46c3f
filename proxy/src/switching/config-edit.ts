import { readFile } from 'node:fs/promises';
import { loadConfigObject, parseConfigText, versionOf, type LoadedConfig } from '../config/load.js';
import { writeFileAtomic } from '../config/write-back.js';
import { ProxyError, type ProxyErrorCode } from '../errors.js';
import { compileTable, type RouteTable } from '../routing/table.js';
import type { ControlLink, ProxyRuntime } from '../runtime/runtime.js';
import type { AuditEntry, ProxyConfigInput } from '../types.js';
import type { AuditLog } from './audit.js';

/** One change to the running config, made from the admin API, the CLI, the dashboard or a gate. */
export interface ConfigEdit {
  /** Edits the route file's text (comments and layout kept). */
  text(text: string): string;
  /** Edits a config given as an object (no file). */
  input(input: ProxyConfigInput): ProxyConfigInput;
  /** The audit entry: written and flushed before the file is committed. */
  entry: AuditEntry;
  /** The error code when the edited config is invalid. */
  invalid: ProxyErrorCode;
  /** Says what the edit would make invalid, e.g. "the switched config". */
  subject: string;
  /** For the log and the reload status. */
  why: string;
}

/**
 * Makes one edit: checked like a reload, written back to the file atomically, audited before the
 * file is committed (nothing is changed when the audit cannot be written), and swapped into the
 * running table. Call it inside `runtime.exclusive`.
 */
export async function commitEdit(
  runtime: ProxyRuntime,
  audit: AuditLog,
  edit: ConfigEdit,
): Promise<RouteTable> {
  const table = runtime.table;
  const loaded = runtime.control
    ? await published(runtime, runtime.control, table, edit)
    : table.loaded.file
      ? await writeBack(runtime, audit, table, edit)
      : await inMemory(runtime, audit, table, edit);
  return runtime.apply(loaded, edit.why);
}

/**
 * The edit published to the control plane as a new version of the route file text, with its
 * audit entry in the same transaction; every replica applies it from there.
 */
async function published(
  runtime: ProxyRuntime,
  control: ControlLink,
  table: RouteTable,
  edit: ConfigEdit,
): Promise<LoadedConfig> {
  const edited = edit.text(table.loaded.text ?? '');
  let loaded: LoadedConfig;
  try {
    loaded = parseConfigText(edited, undefined, runtime.loadOptions);
  } catch (err) {
    throw new ProxyError(
      edit.invalid,
      `${edit.subject} would be invalid: ${(err as Error).message}`,
      { issues: (err as ProxyError).issues ?? [], cause: err },
    );
  }
  const expected = table.loaded.control?.version ?? 0;
  const version = await control.publish(edited, expected, edit.entry);
  return { ...loaded, control: { version } };
}

async function writeBack(
  runtime: ProxyRuntime,
  audit: AuditLog,
  table: RouteTable,
  edit: ConfigEdit,
): Promise<LoadedConfig> {
  const file = table.loaded.file as string;
  const options = runtime.loadOptions;
  const text = await readFile(file, 'utf8').catch((err: Error) => {
    throw new ProxyError('write_back_failed', `cannot read ${file}: ${err.message}`, {
      retriable: true,
      cause: err,
    });
  });
  if (versionOf(text) !== table.version) {
    try {
      parseConfigText(text, file, options);
    } catch (err) {
      throw new ProxyError(
        'config_file_invalid',
        `${file} was edited and is invalid; fix it (see the reload status) before changing it here`,
        { issues: (err as ProxyError).issues ?? [], cause: err },
      );
    }
  }
  const edited = edit.text(text);
  let loaded: LoadedConfig;
  try {
    loaded = parseConfigText(edited, file, options);
  } catch (err) {
    throw new ProxyError(
      edit.invalid,
      `${edit.subject} would be invalid: ${(err as Error).message}`,
      { issues: (err as ProxyError).issues ?? [], cause: err },
    );
  }
  // The file may hold an edit still waiting for its upstream to be ready: this change must not
  // carry it in unchecked.
  await runtime.checkSwap(compileTable(loaded));
  try {
    await writeFileAtomic(file, edited, () => audited(audit, edit.entry));
  } catch (err) {
    if (err instanceof ProxyError) throw err;
    throw new ProxyError('write_back_failed', `cannot write ${file}: ${(err as Error).message}`, {
      retriable: true,
      cause: err,
    });
  }
  return loaded;
}

async function inMemory(
  runtime: ProxyRuntime,
  audit: AuditLog,
  table: RouteTable,
  edit: ConfigEdit,
): Promise<LoadedConfig> {
  const input = table.loaded.input ?? { upstreams: {} };
  const loaded = loadConfigObject(edit.input(input), runtime.loadOptions);
  await audited(audit, edit.entry);
  return loaded;
}

async function audited(audit: AuditLog, entry: AuditEntry): Promise<void> {
  try {
    await audit.append(entry);
  } catch (err) {
    throw new ProxyError(
      'audit_failed',
      `cannot append to the audit log ${audit.file}: ${(err as Error).message}; nothing was changed`,
      { retriable: true, cause: err },
    );
  }
}
