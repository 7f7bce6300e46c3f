import type { AuditEntry, GroupView, ModeState, ReloadStatus, RouteView } from '../types.js';
import { formatIssue } from '../config/issues.js';

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `routes list` as a table. */
export function formatRoutes(body: {
  version: string;
  routes: RouteView[];
  groups: GroupView[];
}): string {
  const rows = [['ROUTE', 'GROUP', 'MODE', 'PERCENT', 'MATCH', 'STICKY', 'LEGACY', 'NEW', '5XX']];
  for (const r of body.routes) {
    rows.push([
      r.id,
      r.group ?? '-',
      r.mode,
      r.mode === 'canary' ? `${r.percent ?? 0}%` : '-',
      `${r.match.methods?.join(',') ?? '*'} ${r.match.path}`,
      r.mode === 'canary' ? r.sticky : '-',
      String(r.stats.requests.legacy),
      String(r.stats.requests.new),
      String(r.stats.errors),
    ]);
  }
  const out = [`table version ${body.version}`, table(rows)];
  if (body.groups.length > 0) {
    const g = [['GROUP', 'MODE', 'PERCENT', 'ROUTES']];
    for (const group of body.groups) {
      g.push([
        group.id,
        group.mode,
        group.mode === 'canary' ? `${group.percent ?? 0}%` : '-',
        group.routes.join(', '),
      ]);
    }
    out.push('', table(g));
  }
  return out.join('\n');
}

export function formatStatus(s: ReloadStatus): string {
  const lines = [
    `file:    ${s.file ?? '(config object)'}`,
    `status:  ${s.ok ? 'ok' : 'LAST RELOAD REJECTED (the previous table is still serving)'}`,
    `active:  ${s.activeVersion} since ${s.activeSince}`,
    `reloads: ${s.reloads}, rejected: ${s.failures}, last attempt ${s.lastAttemptAt}`,
  ];
  if (s.lastError) {
    lines.push('issues:');
    for (const issue of s.lastError.issues) lines.push(`  - ${formatIssue(issue)}`);
    if (s.lastError.issues.length === 0) lines.push(`  - ${s.lastError.message}`);
  }
  return lines.join('\n');
}

const modeText = (s: ModeState) => (s.mode === 'canary' ? `canary ${s.percent}%` : s.mode);

/** One line of `routes audit`. */
export function formatAuditEntry(e: AuditEntry): string {
  const by = `by ${e.actor ?? '?'} via ${e.source}: ${e.reason}`;
  switch (e.kind) {
    case 'route':
    case 'group':
      return `${e.at}  ${e.kind} ${e.target}: ${modeText(e.from)} -> ${modeText(e.to)}  ${by}`;
    case 'import':
      return `${e.at}  route table imported from ${e.file ?? '(a file)'}: version ${e.fromVersion} -> ${e.toVersion}  ${by}`;
    case 'ignore_rule': {
      const r = e.rule;
      const until = r.expires ? ` until ${r.expires}` : '';
      return `${e.at}  ignore rule on ${e.target}: ${r.rule} (owner ${r.owner}${until})  ${by}`;
    }
    default: {
      const never: never = e;
      return JSON.stringify(never);
    }
  }
}

/** What `GET /fleet` answers. */
export interface FleetBody {
  controlPlane: {
    ok: boolean;
    version: number;
    latest: number;
    replica: string;
    leader: boolean;
    error?: string;
  } | null;
  replicas: {
    id: string;
    version: number | null;
    behind: number | null;
    seenAt: string;
    info: { url?: string };
  }[];
}

/** `routes fleet`: the control plane as this replica sees it, and every replica. */
export function formatFleet(body: FleetBody): string {
  const c = body.controlPlane;
  if (!c) return 'this proxy runs without a control plane (start it with --control-db)';
  const head = c.ok
    ? `control plane: ok, version ${c.latest}; asked replica ${c.replica}${c.leader ? ' (runs the gates)' : ''}`
    : `control plane: UNREACHABLE (${c.error ?? 'no answer'}); asked replica ${c.replica} serves version ${c.version}`;
  const rows = [['replica', 'version', 'behind', 'last seen', 'address']];
  for (const r of body.replicas) {
    rows.push([
      r.id,
      String(r.version ?? '-'),
      String(r.behind ?? '-'),
      r.seenAt,
      r.info.url ?? '-',
    ]);
  }
  return `${head}\n\n${table(rows)}`;
}
