import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kafkaBrokers, testDatabase, uniqueName } from '@strangler/tests/harness';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { events as e, kafkaTopic, publish } from './testing/kafka.fixture.js';

const pkg = dirname(dirname(fileURLToPath(import.meta.url)));
const bin = join(pkg, 'bin', 'strangler-new-service.js');
const children: ChildProcess[] = [];

beforeAll(() => {
  // The bin runs the built JS, as `npx strangler-new-service` does; `npm test` builds first.
  if (!existsSync(join(pkg, 'dist', 'main.js'))) {
    throw new Error('new-service/dist is missing: run `npm run build` first');
  }
});
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

function run(args: string[], env: Record<string, string> = {}) {
  const clean = { ...process.env };
  for (const name of ['DATABASE_URL', 'KAFKA_BROKERS', 'PORT', 'STRANGLER_EVENTS_TOPIC']) {
    delete clean[name];
  }
  const child = spawn(process.execPath, [bin, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...clean, ...env },
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = async (pattern: RegExp) => {
    for (let i = 0; i < 400; i++) {
      const match = pattern.exec(stdout);
      if (match) return match;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`no ${pattern} in: ${stdout}${stderr}`);
  };
  return { child, exited, waitFor, output: () => ({ stdout, stderr }) };
}

describe('strangler-new-service CLI', () => {
  it('prints the options for --help', async () => {
    const cli = run(['--help']);
    expect(await cli.exited).toBe(0);
    expect(cli.output().stdout).toMatch(/--kafka-brokers <list>\s+KAFKA_BROKERS/);
  });

  it('exits 2 with one line naming the variable and the flag of a missing setting', async () => {
    const cli = run([], { KAFKA_BROKERS: 'localhost:9092' });
    expect(await cli.exited).toBe(2);
    expect(cli.output().stderr).toMatch(
      /^strangler-new-service: DATABASE_URL is required: set it or pass --database-url .*\n$/,
    );
  });

  it('consumes, serves availability, and stops cleanly on SIGTERM', async () => {
    const database = await testDatabase('newsvc_cli');
    const { topic, producer } = await kafkaTopic(1);
    const sku = uniqueName('CLI').toUpperCase();
    await publish(producer, topic, [e.product(sku), e.batch(`${sku}-b`, sku, 4)]);
    const cli = run(['--port', '0', '--host', '127.0.0.1', '--group', uniqueName('g')], {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: kafkaBrokers().join(','),
      STRANGLER_EVENTS_TOPIC: topic,
    });
    const [, url] = (await cli.waitFor(/"url":"(http:\/\/[^"]+)"/))!;
    for (let i = 0; i < 400; i++) {
      const status = (await (await fetch(`${url}/status`)).json()) as { caughtUp: boolean };
      if (status.caughtUp) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const res = await fetch(`${url}/products/${sku}/availability`);
    expect(((await res.json()) as { totalAvailable: number }).totalAvailable).toBe(4);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    expect(cli.output().stdout).toMatch(/"msg":"new service stopped"/);
  });
});
