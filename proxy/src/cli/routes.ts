import { MODES } from '../config/schema.js';
import type {
  AuditEntry,
  GroupView,
  Mode,
  ReloadStatus,
  RouteView,
  SwitchResult,
} from '../types.js';
import { AdminClient } from './admin-client.js';
import { UsageError, type Flags } from './flags.js';
import {
  formatAuditEntry,
  formatFleet,
  formatRoutes,
  formatStatus,
  type FleetBody,
} from './format.js';
import { hostname, userInfo } from 'node:os';

function client(flags: Flags, env: NodeJS.ProcessEnv): AdminClient {
  const url =
    flags['admin-url'] ??
    env.STRANGLER_ADMIN_URL ??
    `http://127.0.0.1:${env.STRANGLER_ADMIN_PORT ?? 8081}`;
  return new AdminClient(url, flags.token ?? env.STRANGLER_ADMIN_TOKEN);
}

export function defaultActor(): string {
  try {
    return `${userInfo().username}@${hostname()}`;
  } catch {
    return hostname();
  }
}

/** `strangler-proxy routes list|set|status|reload|audit|fleet`; returns the exit code. */
export async function routes(
  args: string[],
  flags: Flags,
  env: NodeJS.ProcessEnv,
  out: (s: string) => void,
): Promise<number> {
  const [action, ...rest] = args;
  const admin = client(flags, env);
  switch (action) {
    case 'list': {
      const { body } = await admin.call<{
        version: string;
        routes: RouteView[];
        groups: GroupView[];
      }>('GET', '/routes');
      out(flags.json ? JSON.stringify(body, null, 2) : formatRoutes(body));
      return 0;
    }
    case 'set': {
      const [target, mode] = rest;
      if (!target || !mode)
        throw new UsageError('usage: routes set ID MODE [--percent N] --reason TEXT');
      if (!(MODES as readonly string[]).includes(mode))
        throw new UsageError(`MODE must be one of ${MODES.join(', ')}`);
      if (!flags.reason)
        throw new UsageError('--reason TEXT is required: it goes into the audit log');
      const percent =
        flags.percent === undefined ? undefined : Number(flags.percent.replace(/%$/, ''));
      if (percent !== undefined && Number.isNaN(percent))
        throw new UsageError('--percent must be a number');
      const { body } = await admin.call<SwitchResult>('POST', '/switch', {
        target,
        mode: mode as Mode,
        ...(percent === undefined ? {} : { percent }),
        reason: flags.reason,
        actor: flags.actor ?? defaultActor(),
        source: 'cli',
      });
      const show = (s: { mode: string; percent?: number }) =>
        s.mode === 'canary' ? `canary ${s.percent}%` : s.mode;
      out(
        body.changed
          ? `${body.kind} ${body.target}: ${show(body.from)} -> ${show(body.to)} (routes: ${body.routes.join(', ')}; table ${body.version})`
          : `${body.kind} ${body.target} is already ${show(body.to)}; nothing changed`,
      );
      return 0;
    }
    case 'status': {
      const { body } = await admin.call<ReloadStatus>('GET', '/reload');
      out(flags.json ? JSON.stringify(body, null, 2) : formatStatus(body));
      return body.ok ? 0 : 1;
    }
    case 'reload': {
      const { body } = await admin.call<ReloadStatus>('POST', '/reload');
      out(flags.json ? JSON.stringify(body, null, 2) : formatStatus(body));
      return body.ok ? 0 : 1;
    }
    case 'fleet': {
      const { body } = await admin.call<FleetBody>('GET', '/fleet');
      out(flags.json ? JSON.stringify(body, null, 2) : formatFleet(body));
      return body.controlPlane && !body.controlPlane.ok ? 1 : 0;
    }
    case 'audit': {
      const { body } = await admin.call<{ entries: AuditEntry[] }>(
        'GET',
        `/audit?limit=${Number(flags.limit ?? 20) || 20}`,
      );
      if (flags.json) out(JSON.stringify(body.entries, null, 2));
      else for (const e of body.entries) out(formatAuditEntry(e));
      return 0;
    }
    default:
      throw new UsageError('usage: routes list|set|status|reload|audit|fleet (see --help)');
  }
}
