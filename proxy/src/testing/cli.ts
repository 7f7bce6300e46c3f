import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/strangler-proxy.js', import.meta.url));

/** Builds dist (incremental, quick when up to date) so the CLI runs the current source. */
export function buildProxy(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b', PACKAGE_DIR], { stdio: 'inherit' });
}

export interface CliRun {
  child: ChildProcess;
  /** JSON log lines from stdout. */
  logs: Record<string, unknown>[];
  stdout(): string;
  stderr(): string;
  /** Resolves with the first log line whose msg is `msg`. */
  waitForLog(msg: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs `strangler-proxy ARGS` as a child process. */
export function runCli(args: string[], env: Record<string, string> = {}): CliRun {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const logs: Record<string, unknown>[] = [];
  const waiters: { msg: string; resolve: (line: Record<string, unknown>) => void }[] = [];
  let pending = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      try {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        logs.push(parsed);
        for (const w of waiters.filter((w) => w.msg === parsed.msg)) w.resolve(parsed);
      } catch {
        // Not a log line (e.g. command output).
      }
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    logs,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForLog(msg, timeoutMs = 15_000) {
      const found = logs.find((l) => l.msg === msg);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no "${msg}" log line; stderr: ${err}; stdout: ${out}`)),
          timeoutMs,
        );
        waiters.push({
          msg,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
        void exited.then(() => {
          clearTimeout(timer);
          reject(new Error(`exited before "${msg}"; stderr: ${err}`));
        });
      });
    },
  };
}
