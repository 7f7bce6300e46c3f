import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A capture pipeline (ours or Debezium) running as a child that prints JSON lines on stdout. */
export interface ChildPipeline {
  readonly name: string;
  /** Date.now() when the process was spawned. */
  readonly spawnedAt: number;
  /** Resolves when the child says `started`; rejects if it fails or exits first. */
  readonly started: Promise<void>;
  /** Set once the child failed or exited without being asked to. */
  failure(): Error | undefined;
  /** Closes the child's stdin (its signal to stop cleanly) and waits for it to exit. */
  stop(): Promise<void>;
}

type Line =
  | { type: 'started' }
  | { type: 'progress' | 'stopped'; events: number }
  | { type: 'failed'; error: string };

/**
 * Spawns `command` and follows its protocol: `started`, `progress`, `stopped`, `failed`. Its
 * stderr (logs) goes to ours, so a failing connector is seen as it fails.
 */
export function startChildPipeline(name: string, command: string, args: string[]): ChildPipeline {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const spawnedAt = Date.now();
  let failure: Error | undefined;
  let stopping = false;
  let onStarted: () => void = () => {};
  let onFailed: (e: Error) => void = () => {};
  const started = new Promise<void>((resolve, reject) => {
    onStarted = resolve;
    onFailed = reject;
  });
  // A rejection nobody awaits yet (the bench polls failure() meanwhile) must not crash the bench.
  started.catch(() => {});
  const fail = (e: Error) => {
    failure ??= e;
    onFailed(e);
  };
  createInterface({ input: child.stdout }).on('line', (text) => {
    let line: Line;
    try {
      line = JSON.parse(text) as Line;
    } catch {
      return; // A stray line of a library that prints to stdout: not ours to read.
    }
    if (line.type === 'started') onStarted();
    if (line.type === 'failed') fail(new Error(`${name} failed: ${line.error}`));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.once('error', (e) => fail(new Error(`${name} could not start: ${e.message}`)));
  void exited.then((code) => {
    if (!stopping) fail(new Error(`${name} exited by itself (code ${code})`));
  });
  return {
    name,
    spawnedAt,
    started,
    failure: () => failure,
    async stop() {
      stopping = true;
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
