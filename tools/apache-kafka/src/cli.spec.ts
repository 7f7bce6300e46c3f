import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/apache-kafka.js', import.meta.url));

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code) : 0, stdout, stderr }),
    );
  });
}

describe('apache-kafka CLI', () => {
  it('exec runs the command with KAFKA_BROKERS and KAFKA_VERSION set and exits with its code', async () => {
    const script =
      'process.exit(/^127\\.0\\.0\\.1:\\d+$/.test(process.env.KAFKA_BROKERS) && process.env.KAFKA_VERSION ? 7 : 1)';
    const run = await cli(['exec', '--', process.execPath, '-e', script]);
    expect(run.stderr).toContain('serves on 127.0.0.1:');
    expect(run.code).toBe(7);
  }, 180_000);

  it('refuses an unsupported node count with exit 2 and the fix', async () => {
    const run = await cli(['start', '--nodes', '2']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('apache-kafka: nodes: 2 is not supported; use 1 or 3');
  });

  it('refuses exec without a command, and an unknown command, with exit 2', async () => {
    expect((await cli(['exec'])).stderr).toContain('exec: give the command after --');
    const unknown = await cli(['begin']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "begin"');
  });
});
