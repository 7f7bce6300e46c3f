import { explainSkips } from '../shadow/skip-reasons.js';
import type { ShadowRouteReport } from '../types.js';

const pct = (v: number | null) => (v === null ? '-' : `${(v * 100).toFixed(2)}%`);
const ms = (v: number | null) => (v === null ? '-' : `${v.toFixed(1)}`);

/** `shadow report` as a table. */
export function formatShadow(reports: readonly ShadowRouteReport[]): string {
  const rows = [
    [
      'ROUTE',
      'MODE',
      'MATCH',
      'COMPARED',
      'MISMATCHED',
      'LEGACY P50/P99',
      'NEW P50/P99',
      'SKIPPED',
      'GATES',
    ],
  ];
  for (const r of reports) {
    rows.push([
      r.route,
      r.mode === 'canary' ? `canary ${r.percent}%` : r.mode,
      pct(r.window.matchRate ?? r.totals.matchRate),
      `${r.window.compared}/${r.totals.compared}`,
      String(r.totals.mismatched),
      `${ms(r.window.legacy.p50Ms)}/${ms(r.window.legacy.p99Ms)} ms`,
      `${ms(r.window.candidate.p50Ms)}/${ms(r.window.candidate.p99Ms)} ms`,
      Object.entries(r.totals.skipped)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ') || '-',
      r.gates ? `${r.gates.lastDecision ?? 'waiting'}` : '-',
    ]);
  }
  const widths =
    rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  const table = rows
    .map((row) =>
      row
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
  const legend = explainSkips(reports.flatMap((r) => Object.keys(r.totals.skipped)));
  return legend.length === 0
    ? table
    : `${table}\n\nSKIPPED, what it means:\n${legend.map((line) => `  ${line}`).join('\n')}`;
}
