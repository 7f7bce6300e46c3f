import { readFile } from 'node:fs/promises';
import { loadConfigObject, parseConfigText, versionOf, type LoadedConfig } from '../config/load.js';
import { editModeInText, writeFileAtomic } from '../config/write-back.js';
import { ProxyError } from '../errors.js';
import { compileTable, type RouteTable } from '../routing/table.js';
import type { ProxyRuntime } from '../runtime/runtime.js';
import type { AuditEntry, ModeState, SwitchGuard, SwitchRequest, SwitchResult } from '../types.js';
import type { AuditLog } from './audit.js';
import { checkRequest, editInput, resolve, state } from './requests.js';

/**
 * The one place where routes change mode: the admin API, the CLI, `StartedProxy.switchRoute` and
 * the automatic promotion gates all come through here. A switch is checked against the
 * guards, written back to the config file atomically (comments kept), recorded in the audit log
 * before the file is committed, and swapped into the running table at once.
 */
export class RouteSwitcher {
  private readonly guards: SwitchGuard[];

  constructor(
    private readonly runtime: ProxyRuntime,
    readonly audit: AuditLog,
    guards: SwitchGuard[] = [],
  ) {
    this.guards = [...guards];
  }

  /** Adds a precondition checked before every switch; returns a function removing it. */
  addGuard(guard: SwitchGuard): () => void {
    this.guards.push(guard);
    return () => {
      const i = this.guards.indexOf(guard);
      if (i !== -1) this.guards.splice(i, 1);
    };
  }

  async switch(request: SwitchRequest): Promise<SwitchResult> {
    checkRequest(request);
    return this.runtime.exclusive(() => this.apply(request));
  }

  private async apply(request: SwitchRequest): Promise<SwitchResult> {
    const table = this.runtime.table;
    const { kind, routes, from } = resolve(table, request.target);
    const to = state(request.mode, request.percent ?? from.percent);
    if (to.mode === 'canary' && to.percent === undefined) {
      throw new ProxyError(
        'invalid_switch',
        `"${request.target}" has no percent yet: give one to enter canary`,
      );
    }
    const at = new Date().toISOString();
    const result = { kind, target: request.target, routes, from, to, at };
    if (from.mode === to.mode && from.percent === to.percent) {
      return { ...result, changed: false, version: table.version };
    }
    for (const guard of this.guards) {
      const denied = await guard(request, { kind, routes, from });
      if (typeof denied === 'string' && denied !== '') {
        throw new ProxyError(
          'switch_denied',
          `switch of "${request.target}" to ${to.mode} refused: ${denied}`,
        );
      }
    }
    const entry: AuditEntry = {
      at,
      kind,
      target: request.target,
      routes,
      from,
      to,
      reason: request.reason.trim(),
      ...(request.actor ? { actor: request.actor } : {}),
      source: request.source ?? 'api',
      ...(table.loaded.file ? { file: table.loaded.file } : {}),
      ...(request.figures ? { figures: request.figures } : {}),
    };
    const loaded = table.loaded.file
      ? await this.writeBack(table, kind, to, entry)
      : await this.inMemory(table, kind, to, entry);
    const next = this.runtime.apply(loaded, `switch ${kind} ${request.target} to ${to.mode}`);
    this.runtime.metrics.switches.labels(request.target, to.mode, entry.source).inc();
    this.runtime.logger.info({ switch: entry, version: next.version }, 'route switched');
    return { ...result, changed: true, version: next.version };
  }

  private async writeBack(
    table: RouteTable,
    kind: 'route' | 'group',
    to: ModeState,
    entry: AuditEntry,
  ): Promise<LoadedConfig> {
    const file = table.loaded.file as string;
    const options = this.runtime.loadOptions;
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
          `${file} was edited and is invalid; fix it (see the reload status) before switching`,
          { issues: (err as ProxyError).issues ?? [], cause: err },
        );
      }
    }
    const edited = editModeInText(text, kind, entry.target, to);
    let loaded: LoadedConfig;
    try {
      loaded = parseConfigText(edited, file, options);
    } catch (err) {
      throw new ProxyError(
        'invalid_switch',
        `the switched config would be invalid: ${(err as Error).message}`,
        {
          issues: (err as ProxyError).issues ?? [],
          cause: err,
        },
      );
    }
    // The file may hold an edit still waiting for its upstream to be ready: a switch of another
    // route must not carry it in unchecked.
    await this.runtime.checkSwap(compileTable(loaded));
    try {
      await writeFileAtomic(file, edited, () => this.audited(entry));
    } catch (err) {
      if (err instanceof ProxyError) throw err;
      throw new ProxyError('write_back_failed', `cannot write ${file}: ${(err as Error).message}`, {
        retriable: true,
        cause: err,
      });
    }
    return loaded;
  }

  private async inMemory(
    table: RouteTable,
    kind: 'route' | 'group',
    to: ModeState,
    entry: AuditEntry,
  ): Promise<LoadedConfig> {
    const input = table.loaded.input ?? { upstreams: {} };
    const loaded = loadConfigObject(
      editInput(input, kind, entry.target, to),
      this.runtime.loadOptions,
    );
    await this.audited(entry);
    return loaded;
  }

  private async audited(entry: AuditEntry): Promise<void> {
    try {
      await this.audit.append(entry);
    } catch (err) {
      throw new ProxyError(
        'audit_failed',
        `cannot append to the audit log ${this.audit.file}: ${(err as Error).message}; nothing was switched`,
        {
          retriable: true,
          cause: err,
        },
      );
    }
  }
}
