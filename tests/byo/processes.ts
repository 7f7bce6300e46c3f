import { spawn, type ChildProcess } from 'node:child_process';

/** A child process the test can kill -9 and start again, with everything it printed. */
export interface Restartable {
  readonly name: string;
  /** stdout and stderr of every run so far, for failure messages. */
  output(): string;
  start(): void;
  /** SIGKILL: no cleanup, no flush, as a crash or an OOM kill. Resolves once it is gone. */
  crash(): Promise<void>;
  /** SIGTERM and wait; SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export function restartable(name: string, args: string[], env: NodeJS.ProcessEnv): Restartable {
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let log = '';
  const start = () => {
    if (child) throw new Error(`${name} is already running`);
    const started = spawn(process.execPath, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    log += `--- ${name} started (pid ${started.pid})\n`;
    started.stdout!.on('data', (d) => (log += d));
    started.stderr!.on('data', (d) => (log += d));
    exited = new Promise((resolve) =>
      started.on('exit', (code, signal) => {
        log += `--- ${name} exited (code ${code}, signal ${signal})\n`;
        if (child === started) child = undefined;
        resolve();
      }),
    );
    child = started;
  };
  const end = async (signal: NodeJS.Signals, graceMs: number) => {
    const running = child;
    if (!running) return;
    running.kill(signal);
    const timer = setTimeout(() => running.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return {
    name,
    output: () => log,
    start,
    crash: () => end('SIGKILL', 0),
    stop: (graceMs = 10_000) => end('SIGTERM', graceMs),
  };
}
