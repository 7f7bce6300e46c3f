import { actorOf } from './actor.js';
import { editModeInText } from '../config/write-back.js';
import { ProxyError } from '../errors.js';
import type { ProxyRuntime } from '../runtime/runtime.js';
import type {
  ModeState,
  SwitchCheck,
  SwitchGuard,
  SwitchRequest,
  SwitchAuditEntry,
  SwitchResult,
} from '../types.js';
import type { AuditLog } from './audit.js';
import { commitEdit } from './config-edit.js';
import { checkRequest, editInput, resolve, state } from './requests.js';
import { WriteBarriers } from './write-barrier.js';
import { prepareWriteMove, type PreparedMove } from './write-switch.js';

const label = (s: ModeState) => (s.mode === 'canary' ? `canary ${s.percent ?? 0}%` : s.mode);

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
    /** Write groups' barriers, shared with the request path that counts and holds their writes. */
    readonly barriers = new WriteBarriers(),
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
    // With a control plane another replica may publish first: this one takes that version and
    // makes the switch on top of it, but only if the target is still where it was when asked
    // (a switch never undoes another one it did not see). A gate's decision is not replayed:
    // the gate decides again on the new table.
    let asked: ModeState | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.runtime.exclusive(() => {
          const { from } = resolve(this.runtime.table, request.target);
          if (asked && (asked.mode !== from.mode || asked.percent !== from.percent)) {
            throw new ProxyError(
              'control_conflict',
              `"${request.target}" was switched on another replica meanwhile (to ${label(from)}; it was ${label(asked)} when asked); nothing was changed: look and switch again`,
            );
          }
          asked ??= from;
          return this.apply(request);
        });
      } catch (err) {
        const e = err as ProxyError;
        const control = this.runtime.control;
        const again = e.code === 'control_conflict' && e.retriable && request.source !== 'gate';
        if (!control || !again || attempt >= 5) throw err;
        await control.sync();
      }
    }
  }

  /**
   * What `switch` would do now, without doing it: the guards are asked (with `check: true`) and
   * their answer returned, so a person can see it before confirming. No reason is needed.
   */
  async check(request: Omit<SwitchRequest, 'reason'> & { reason?: string }): Promise<SwitchCheck> {
    const asked = { ...request, reason: request.reason ?? '' };
    checkRequest(asked, false);
    const { kind, routes, from, to } = this.plan(asked);
    const answer = { kind, target: request.target, routes, from, to };
    if (from.mode === to.mode && from.percent === to.percent)
      return { ...answer, changes: false, allowed: true };
    const refusal = await this.refusal(asked, { kind, routes, from, check: true });
    return {
      ...answer,
      changes: true,
      allowed: refusal === undefined,
      ...(refusal ? { refusal } : {}),
    };
  }

  private plan(request: SwitchRequest) {
    const { kind, routes, from } = resolve(this.runtime.table, request.target);
    // Only canary has a percent: leaving it drops the percent (from the file too).
    const to =
      request.mode === 'canary'
        ? state(request.mode, request.percent ?? from.percent)
        : state(request.mode, undefined);
    if (to.mode === 'canary' && to.percent === undefined) {
      throw new ProxyError(
        'invalid_switch',
        `"${request.target}" has no percent yet: give one to enter canary`,
      );
    }
    return { kind, routes, from, to };
  }

  private async refusal(
    request: SwitchRequest,
    context: Parameters<SwitchGuard>[1],
  ): Promise<string | undefined> {
    for (const guard of this.guards) {
      const denied = await guard(request, context);
      if (typeof denied === 'string' && denied !== '') return denied;
    }
    return undefined;
  }

  private async apply(request: SwitchRequest): Promise<SwitchResult> {
    const table = this.runtime.table;
    const { kind, routes, from, to } = this.plan(request);
    const at = new Date().toISOString();
    const result = { kind, target: request.target, routes, from, to, at };
    if (from.mode === to.mode && from.percent === to.percent) {
      return { ...result, changed: false, version: table.version };
    }
    const denied = await this.refusal(request, { kind, routes, from });
    if (denied !== undefined) {
      throw new ProxyError(
        'switch_denied',
        `switch of "${request.target}" to ${to.mode} refused: ${denied}`,
      );
    }
    const group = kind === 'group' ? table.groups.get(request.target) : undefined;
    const prepared = group
      ? await prepareWriteMove(this.barriers, group, from.mode, to.mode, this.runtime.logger)
      : null;
    try {
      const version = await this.commit(request, { kind, routes, from, to, at }, prepared);
      return {
        ...result,
        changed: true,
        version,
        ...(prepared ? { barrier: prepared.figures } : {}),
      };
    } finally {
      prepared?.release();
    }
  }

  private async commit(
    request: SwitchRequest,
    { kind, routes, from, to, at }: ReturnType<RouteSwitcher['plan']> & { at: string },
    prepared: PreparedMove | null,
  ): Promise<string> {
    const table = this.runtime.table;
    const entry: SwitchAuditEntry = {
      at,
      kind,
      target: request.target,
      routes,
      from,
      to,
      reason: request.reason.trim(),
      actor: actorOf(request.actor, `${request.source ?? 'api'} caller`),
      source: request.source ?? 'api',
      ...(table.loaded.file ? { file: table.loaded.file } : {}),
      ...(request.figures ? { figures: request.figures } : {}),
      ...(prepared ? { barrier: { ...prepared.figures } } : {}),
    };
    const next = await commitEdit(this.runtime, this.audit, {
      text: (text) => editModeInText(text, kind, entry.target, to),
      input: (input) => editInput(input, kind, entry.target, to),
      entry,
      invalid: 'invalid_switch',
      subject: 'the switched config',
      why: `switch ${kind} ${request.target} to ${to.mode}`,
    });
    this.runtime.metrics.switches.labels(request.target, to.mode, entry.source).inc();
    this.runtime.logger.info({ switch: entry, version: next.version }, 'route switched');
    return next.version;
  }
}
