import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

const pkg = dirname(dirname(fileURLToPath(import.meta.url)));
const bin = join(pkg, 'bin', 'embedded-kafka.js');
const children: ChildProcess[] = [];

beforeAll(() => {
  // The bin runs the built JS, as `npx embedded-kafka` does; `npm test` builds first.
  if (!existsSync(join(pkg, 'dist', 'cli.js')))
    throw new Error('embedded-kafka/dist is missing: run `npm run build` first');
});
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

function run(args: string[]) {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d) => (stderr += d));
  child.stdout.on('data', (d) => (stdout += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const output = () => ({ stderr, stdout });
  const waitFor = async (pattern: RegExp) => {
    for (let i = 0; i < 200; i++) {
      const m = pattern.exec(stderr);
      if (m) return m;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`no ${pattern} in: ${stderr}`);
  };
  return { child, exited, output, waitFor };
}

describe('embedded-kafka CLI', () => {
  it('logs where it listens, serves kafkajs, and stops cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ek-cli-'));
    try {
      const cli = run(['--port', '0', '--data-dir', dataDir, '--partitions', '2']);
      const [, host, port] = (await cli.waitFor(/listening on ([\d.]+):(\d+)/))!;
      const kafka = new Kafka({ brokers: [`${host}:${port}`], logLevel: logLevel.NOTHING });
      const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      await producer.send({ topic: 'cli-topic', messages: [{ value: 'hello' }] });
      await producer.disconnect();
      const admin = kafka.admin();
      await admin.connect();
      expect(
        (await admin.fetchTopicMetadata({ topics: ['cli-topic'] })).topics[0]!.partitions,
      ).toHaveLength(2);
      await admin.disconnect();
      cli.child.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
      expect(cli.output().stderr).toMatch(/SIGTERM: stopping[\s\S]*stopped/);
      expect(existsSync(join(dataDir, 'broker.lock'))).toBe(false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('exits with status 2 and names the flag on bad input', async () => {
    const bad = run(['--port', 'abc']);
    expect(await bad.exited).toBe(2);
    expect(bad.output().stderr).toContain('--port must be an integer; got "abc"');
    const unknown = run(['--colour']);
    expect(await unknown.exited).toBe(2);
    expect(unknown.output().stderr).toMatch(/Unknown option '--colour'/);
  });

  it('prints usage with --help', async () => {
    const help = run(['--help']);
    expect(await help.exited).toBe(0);
    expect(help.output().stdout).toContain('Usage: embedded-kafka [options]');
  });
});
