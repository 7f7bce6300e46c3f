// Proxy benchmark: direct, strangler-proxy, express + http-proxy-middleware, @fastify/http-proxy
// and nginx, side by side in one run against the same 1 KB JSON upstream. Prints max throughput
// and the latency each adds at a fixed ~2,000 req/s, as ratios to this run's own baselines, so a
// run on a noisy machine can still be compared with a quiet one.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpuSeconds } from './lib/cpu.js';
import { freePort, nodeTs, startProcess, type Running } from './lib/processes.js';
import { formatBudgets, formatResults, median, type SetupResult } from './lib/report.js';
import { fixedRate, maxThroughput, type WrkResult } from './lib/wrk.js';
import { nginxConfig } from './targets/nginx.js';
import { BENCH_PATH, stranglerConfig } from './targets/routes.js';

const HELP = `npm run bench:proxy --workspace bench -- [options]

  --rounds N          interleaved rounds per setup (default 2; medians are reported)
  --duration S        seconds of each max-throughput run (default 10)
  --rate-duration S   seconds of each fixed-rate run (default 15)
  --only a,b          setups to run: direct,strangler,express,fastify,nginx (direct is always run)
  --help
`;

const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '2' },
    duration: { type: 'string', default: '10' },
    'rate-duration': { type: 'string', default: '15' },
    only: { type: 'string' },
    help: { type: 'boolean' },
  },
});
if (flags.help) {
  console.log(HELP);
  process.exit(0);
}
const rounds = Number(flags.rounds);
const duration = Number(flags.duration);
const rateDuration = Number(flags['rate-duration']);
const only = new Set(
  (flags.only ?? 'direct,strangler,express,fastify,nginx').split(',').concat('direct'),
);

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const repo = here('../../');

function have(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** wrk and nginx come from Debian; installed when missing and we may. */
function ensureTools(): void {
  const missing = ['wrk', 'nginx'].filter((t) => !have(t) && !have(`/usr/sbin/${t}`));
  if (missing.length === 0) return;
  console.log(`installing ${missing.join(', ')} (apt-get)...`);
  try {
    execFileSync('apt-get', ['install', '-y', ...missing], { stdio: 'inherit' });
  } catch {
    execFileSync('sh', ['-c', `apt-get update && apt-get install -y ${missing.join(' ')}`], {
      stdio: 'inherit',
    });
  }
}

function buildProxy(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b', join(repo, 'proxy')], { stdio: 'inherit' });
}

interface Setup {
  name: string;
  key: string;
  url: string;
  process?: Running;
}

async function main(): Promise<void> {
  ensureTools();
  buildProxy();
  const dir = mkdtempSync(join(tmpdir(), 'bench-proxy-'));
  const started: Running[] = [];
  try {
    const upstreamPort = await freePort();
    const upstreamUrl = `http://127.0.0.1:${upstreamPort}`;
    const ts = (file: string) => nodeTs(here(file));
    const upstream = await startProcess(
      'upstream',
      ts('targets/upstream.ts').command,
      ts('targets/upstream.ts').args,
      upstreamPort,
      {
        PORT: String(upstreamPort),
      },
    );
    started.push(upstream);
    const setups: Setup[] = [{ name: 'direct', key: 'direct', url: upstreamUrl + BENCH_PATH }];
    const add = async (key: string, name: string, start: (port: number) => Promise<Running>) => {
      if (!only.has(key)) return;
      const port = await freePort();
      const running = await start(port);
      started.push(running);
      setups.push({ name, key, url: `http://127.0.0.1:${port}${BENCH_PATH}`, process: running });
    };
    await add('strangler', 'strangler-proxy', async (port) =>
      startProcess(
        'strangler-proxy',
        process.execPath,
        [
          join(repo, 'proxy/bin/strangler-proxy.js'),
          '--config',
          stranglerConfig(dir, upstreamUrl),
          '--host',
          '127.0.0.1',
          '--port',
          String(port),
          '--admin-port',
          String(await freePort()),
        ],
        port,
        { STRANGLER_ADMIN_TOKEN: 'bench-admin-token-0123456789', LOG_LEVEL: 'warn' },
      ),
    );
    await add('express', 'express+hpm', (port) => {
      const t = ts('targets/express-hpm.ts');
      return startProcess('express+hpm', t.command, t.args, port, {
        PORT: String(port),
        UPSTREAM_URL: upstreamUrl,
      });
    });
    await add('fastify', '@fastify/http-proxy', (port) => {
      const t = ts('targets/fastify-proxy.ts');
      return startProcess('@fastify/http-proxy', t.command, t.args, port, {
        PORT: String(port),
        UPSTREAM_URL: upstreamUrl,
      });
    });
    await add('nginx', 'nginx', (port) =>
      startProcess(
        'nginx',
        have('nginx') ? 'nginx' : '/usr/sbin/nginx',
        ['-p', dir, '-c', nginxConfig(dir, port, upstreamPort), '-g', 'daemon off;'],
        port,
      ),
    );

    console.log(
      `proxy bench: ${cpus().length} CPUs, load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} (load generator, upstream and proxy share them)`,
    );
    console.log(
      `rounds ${rounds}, max-throughput runs ${duration}s (wrk -t1 -c50), fixed-rate runs ${rateDuration}s (wrk -t1 -c100, exponential think time 49 ms)\n`,
    );
    for (const s of setups) await maxThroughput(s.url, 3); // warm-up: JIT, pools, keep-alive
    const max = new Map<string, WrkResult[]>();
    const cpu = new Map<string, number[]>();
    const rate = new Map<string, WrkResult[]>();
    for (let round = 1; round <= rounds; round++) {
      for (const s of setups) {
        const before = s.process ? cpuSeconds(s.process.pid) : 0;
        const r = await maxThroughput(s.url, duration);
        if (s.process)
          cpu.set(s.name, [
            ...(cpu.get(s.name) ?? []),
            ((cpuSeconds(s.process.pid) - before) * 1e6) / r.requests,
          ]);
        max.set(s.name, [...(max.get(s.name) ?? []), r]);
        console.log(
          `round ${round} max   ${s.name.padEnd(20)} ${Math.round(r.rps).toString().padStart(7)} req/s  errors ${r.errors + r.non2xx}`,
        );
      }
    }
    for (let round = 1; round <= rounds; round++) {
      for (const s of setups) {
        const r = await fixedRate(s.url, rateDuration);
        rate.set(s.name, [...(rate.get(s.name) ?? []), r]);
        console.log(
          `round ${round} rate  ${s.name.padEnd(20)} ${Math.round(r.rps).toString().padStart(7)} req/s  p50 ${(r.p50 / 1000).toFixed(3)} ms  p99 ${(r.p99 / 1000).toFixed(3)} ms`,
        );
      }
    }
    const results: SetupResult[] = setups.map((s) => {
      const m = max.get(s.name) ?? [];
      const f = rate.get(s.name) ?? [];
      const c = cpu.get(s.name);
      return {
        name: s.name,
        maxRps: median(m.map((r) => r.rps)),
        ...(c ? { cpuUsPerRequest: median(c) } : {}),
        p50Ms: median(f.map((r) => r.p50)) / 1000,
        p99Ms: median(f.map((r) => r.p99)) / 1000,
        rateRps: median(f.map((r) => r.rps)),
        errors: [...m, ...f].reduce((sum, r) => sum + r.errors + r.non2xx, 0),
      };
    });
    console.log(`\n${formatResults(results)}\n`);
    const budgets = formatBudgets(results);
    console.log(budgets.text);
    console.log(
      `\nload average at the end: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    if (!budgets.pass) process.exitCode = 1;
  } finally {
    for (const r of started.reverse()) await r.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
