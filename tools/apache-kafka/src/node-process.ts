import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ApacheKafkaError } from './errors.js';
import type { ApacheKafkaNode } from './types.js';

/** What a node process needs to run. */
export interface NodeCommand {
  id: number;
  broker: string;
  java: string;
  libs: string;
  /** Folder holding server.properties and log4j2.properties; the log file goes there too. */
  configDir: string;
  heap: string;
  startTimeoutMs: number;
}

const STARTED = 'Kafka Server started';

/** One Kafka JVM that can be killed and started again on the same data. */
export class NodeProcess implements ApacheKafkaNode {
  readonly id: number;
  readonly broker: string;
  readonly logFile: string;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(private readonly command: NodeCommand) {
    this.id = command.id;
    this.broker = command.broker;
    this.logFile = join(command.configDir, 'server.log');
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  async start(): Promise<void> {
    if (this.child) return;
    const { java, libs, configDir, heap } = this.command;
    const from = fileSize(this.logFile);
    const out = openSync(this.logFile, 'a');
    const child = spawn(
      java,
      [
        `-Xmx${heap}`,
        '-XX:+UseG1GC',
        '-Djava.awt.headless=true',
        `-Dlog4j2.configurationFile=${join(configDir, 'log4j2.properties')}`,
        '-cp',
        join(libs, '*'),
        'kafka.Kafka',
        join(configDir, 'server.properties'),
      ],
      { stdio: ['ignore', out, out] },
    );
    closeSync(out);
    this.child = child;
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        if (this.child === child) this.child = undefined;
        resolve();
      }),
    );
    await this.waitStarted(from);
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill(signal);
    await this.exited;
  }

  /** SIGTERM (a controlled shutdown), then SIGKILL if the node is still up after `graceMs`. */
  async stop(graceMs = 20_000): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  private async waitStarted(from: number): Promise<void> {
    const deadline = Date.now() + this.command.startTimeoutMs;
    for (;;) {
      if (this.logSince(from).includes(STARTED)) return;
      if (!this.child) {
        throw new ApacheKafkaError(
          'START_FAILED',
          `Kafka node ${this.id} exited while starting; last lines of ${this.logFile}:\n${this.tail(from)}`,
        );
      }
      if (Date.now() > deadline) {
        await this.kill();
        throw new ApacheKafkaError(
          'START_TIMEOUT',
          `Kafka node ${this.id} did not start within ${this.command.startTimeoutMs} ms; last lines of ${this.logFile}:\n${this.tail(from)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  private logSince(from: number): string {
    return readFileSync(this.logFile).subarray(from).toString('utf8');
  }

  private tail(from: number): string {
    return this.logSince(from).trimEnd().split('\n').slice(-15).join('\n');
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
