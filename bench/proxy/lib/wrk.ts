import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SUMMARY = fileURLToPath(new URL('../lua/summary.lua', import.meta.url));
const FIXED_RATE = fileURLToPath(new URL('../lua/fixed-rate.lua', import.meta.url));

/** One wrk run, latencies in microseconds. */
export interface WrkResult {
  requests: number;
  duration_us: number;
  errors: number;
  non2xx: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
  /** Requests per second over the run. */
  rps: number;
}

function wrk(args: string[], env: Record<string, string>): Promise<WrkResult> {
  return new Promise((resolve, reject) => {
    execFile(
      'wrk',
      args,
      { env: { ...process.env, SUMMARY_LUA: SUMMARY, ...env }, maxBuffer: 1 << 20 },
      (err, stdout, stderr) => {
        if (err) {
          reject(new Error(`wrk ${args.join(' ')} failed: ${err.message}\n${stderr}`));
          return;
        }
        const line = stdout.split('\n').find((l) => l.startsWith('{'));
        if (!line) {
          reject(new Error(`wrk printed no summary:\n${stdout}`));
          return;
        }
        const r = JSON.parse(line) as Omit<WrkResult, 'rps'>;
        resolve({ ...r, rps: r.requests / (r.duration_us / 1e6) });
      },
    );
  });
}

/** As many requests as 50 connections on one thread can push (the research note's method). */
export function maxThroughput(url: string, seconds: number, connections = 50): Promise<WrkResult> {
  return wrk(['-t1', `-c${connections}`, `-d${seconds}s`, '-s', SUMMARY, url], {});
}

/** ~2,000 req/s: 100 connections, exponential think time with a 49 ms mean. */
export function fixedRate(
  url: string,
  seconds: number,
  connections = 100,
  thinkMs = 49,
): Promise<WrkResult> {
  return wrk(['-t1', `-c${connections}`, `-d${seconds}s`, '-s', FIXED_RATE, url], {
    THINK_MS: String(thinkMs),
  });
}
