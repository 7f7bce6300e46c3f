/** Per-setup results, medians over the rounds. */
export interface SetupResult {
  name: string;
  maxRps: number;
  /** Proxy CPU time per request in microseconds (undefined for direct). */
  cpuUsPerRequest?: number;
  p50Ms: number;
  p99Ms: number;
  rateRps: number;
  errors: number;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const n0 = (v: number) => Math.round(v).toLocaleString('en-US');
const f2 = (v: number) => v.toFixed(2);
const signed = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(2)}`;

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  '),
    )
    .join('\n');
}

/** The results table, every figure also as a ratio to the same run's direct and fastify rows. */
export function formatResults(results: SetupResult[]): string {
  const direct = results.find((r) => r.name === 'direct');
  const fastify = results.find((r) => r.name === '@fastify/http-proxy');
  const rows = [
    [
      'setup',
      'max req/s',
      'x direct',
      'x fastify',
      'CPU us/req',
      'p50 ms',
      'p99 ms',
      '+p50 ms',
      '+p99 ms',
      'at req/s',
      'errors',
    ],
  ];
  for (const r of results) {
    rows.push([
      r.name,
      n0(r.maxRps),
      direct ? f2(r.maxRps / direct.maxRps) : '-',
      fastify ? f2(r.maxRps / fastify.maxRps) : '-',
      r.cpuUsPerRequest === undefined ? '-' : r.cpuUsPerRequest.toFixed(0),
      f2(r.p50Ms),
      f2(r.p99Ms),
      direct && r !== direct ? signed(r.p50Ms - direct.p50Ms) : '-',
      direct && r !== direct ? signed(r.p99Ms - direct.p99Ms) : '-',
      n0(r.rateRps),
      String(r.errors),
    ]);
  }
  return table(rows);
}

/** The budgets of the proxy issue, checked against this run's side-by-side figures. */
export function formatBudgets(results: SetupResult[]): { text: string; pass: boolean } {
  const get = (name: string) => results.find((r) => r.name === name);
  const ours = get('strangler-proxy');
  const direct = get('direct');
  const fastify = get('@fastify/http-proxy');
  if (!ours || !direct)
    return { text: '(budgets need the direct and strangler-proxy setups)', pass: true };
  const checks: [string, string, boolean][] = [];
  if (fastify) {
    const ratio = ours.maxRps / fastify.maxRps;
    checks.push(['throughput (legacy mode) >= @fastify/http-proxy', `${f2(ratio)}x`, ratio >= 1]);
  }
  const p50 = ours.p50Ms - direct.p50Ms;
  const p99 = ours.p99Ms - direct.p99Ms;
  checks.push(['added p50 at ~2,000 req/s <= 0.5 ms', `${signed(p50)} ms`, p50 <= 0.5]);
  checks.push(['added p99 at ~2,000 req/s <= 1.5 ms', `${signed(p99)} ms`, p99 <= 1.5]);
  if (fastify) {
    checks.push([
      'reference: @fastify/http-proxy added p50 / p99',
      `${signed(fastify.p50Ms - direct.p50Ms)} / ${signed(fastify.p99Ms - direct.p99Ms)} ms`,
      true,
    ]);
  }
  const rows = [
    ['budget', 'measured', 'verdict'],
    ...checks.map(([b, m, ok], i) => [b, m, i === 3 ? '' : ok ? 'PASS' : 'FAIL']),
  ];
  return { text: table(rows), pass: checks.every(([, , ok]) => ok) };
}
