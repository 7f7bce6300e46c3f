import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { formatLine } from './log-format.js';

export interface ProcessSpec {
  name: string;
  /** Script run with this Node binary. */
  script: string;
  args: string[];
  env: Record<string, string>;
}

export interface SupervisorOutput {
  line(text: string): void;
  color: boolean;
}

/** Exit code our processes use for bad configuration: restarting cannot help. */
const CONFIG_ERROR = 2;
const MAX_BACKOFF_MS = 30_000;

/**
 * A child process the runner keeps alive: restarted with backoff when it fails, not when it exits
 * cleanly or with the configuration-error code; stopped with SIGTERM, then SIGKILL. Children stay
 * in the runner's process group, so nothing outlives a runner that is killed outright.
 */
export class Supervised {
  private child: ChildProcess | null = null;
  private stopping = false;
  private backoffMs = 1000;
  private startedAt = 0;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly spec: ProcessSpec,
    private readonly index: number,
    private readonly out: SupervisorOutput,
  ) {}

  get name(): string {
    return this.spec.name;
  }

  start(): void {
    const { name, script, args, env } = this.spec;
    this.startedAt = Date.now();
    const child = spawn(process.execPath, [script, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (l) =>
        this.out.line(formatLine(name, this.index, l, this.out.color)),
      );
    }
    child.on('exit', (code, signal) => {
      this.child = null;
      if (this.stopping) return;
      // Ctrl-C reaches every process of the terminal's group at once: a clean exit was asked for.
      if (code === 0 || signal === 'SIGINT' || signal === 'SIGTERM') {
        this.say(`stopped (${signal ?? 'code 0'})`);
        return;
      }
      if (code === CONFIG_ERROR) {
        this.say(
          `exited with code 2 (configuration or a refused source): not restarting; see its message above`,
        );
        return;
      }
      // A process that ran a while before dying starts again quickly; one that keeps dying waits longer.
      if (Date.now() - this.startedAt > 60_000) this.backoffMs = 1000;
      this.say(`exited (${signal ?? `code ${code}`}); restarting in ${this.backoffMs / 1000}s`);
      this.restartTimer = setTimeout(() => this.start(), this.backoffMs);
      this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    });
  }

  async stop(timeoutMs = 10_000): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => {
      this.say(`did not stop within ${timeoutMs / 1000}s: killing it`);
      child.kill('SIGKILL');
    }, timeoutMs);
    await exited;
    clearTimeout(timer);
  }

  /** SIGKILL, no restart. */
  kill(): void {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    this.child?.kill('SIGKILL');
  }

  private say(text: string): void {
    this.out.line(formatLine(this.spec.name, this.index, `[strangler] ${text}`, this.out.color));
  }
}
