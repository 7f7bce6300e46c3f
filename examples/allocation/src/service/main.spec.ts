import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kafkaBrokers, testDatabase, uniqueName } from '@strangler/tests/harness';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { events as e, kafkaTopic, publish } from './testing/kafka.fixture.js';

const pkg = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const bin = join(pkg, 'bin', 'allocation-service.js');
const children: ChildProcess[] = [];

beforeAll(() => {
  // The bin runs the built JS, as `npx allocation-service` does; `npm test` builds first.
  if (!existsSync(join(pkg, 'dist', 'service', 'main.js'))) {
    throw new Error('examples/allocation/dist is missing: run `npm run build` first');
  }
});
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

function run(args: string[], env: Record<string, string> = {}) {
  const clean = { ...process.env };
  for (const name of [
    'DATABASE_URL',
    'KAFKA_BROKERS',
    'PORT',
    'HOST',
    'STRANGLER_EVENTS_TOPIC',
    'READ_CACHE',
  ]) {
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

describe('allocation-service CLI', () => {
  it('prints the options for --help', async () => {
    const cli = run(['--help']);
    expect(await cli.exited).toBe(0);
    const { stdout } = cli.output();
    expect(stdout).toMatch(/--kafka-brokers <list>\s+KAFKA_BROKERS/);
    expect(stdout).toMatch(
      /--topic <value>\s+STRANGLER_EVENTS_TOPIC\s+topic of the allocation events \(default allocation.events\)/,
    );
    expect(stdout).toMatch(
      /--group <value>\s+STRANGLER_CONSUMER_GROUP\s+Kafka consumer group \(default new-service\)/,
    );
    expect(stdout).toMatch(/--\[no-\]read-cache\s+READ_CACHE/);
    expect(stdout).toMatch(/HTTP port; 0 picks a free one \(default 3001\)/);
  });

  it('exits 2 with one line naming the variable and the flag of a missing setting', async () => {
    const cli = run([], { KAFKA_BROKERS: 'localhost:9092' });
    expect(await cli.exited).toBe(2);
    expect(cli.output().stderr).toMatch(
      /^allocation-service: DATABASE_URL is required: set it or pass --database-url .*\n$/,
    );
  });

  it('exits 2 naming READ_CACHE and its flag for a value that is not on or off', async () => {
    const cli = run([], {
      DATABASE_URL: 'postgres://u@localhost/x',
      KAFKA_BROKERS: 'localhost:9092',
      READ_CACHE: 'sometimes',
    });
    expect(await cli.exited).toBe(2);
    expect(cli.output().stderr).toBe(
      'allocation-service: READ_CACHE (--read-cache) must be on or off, got "sometimes"\n',
    );
  });

  it('consumes, serves availability, and stops cleanly on SIGTERM', async () => {
    const database = await testDatabase('alloc_cli');
    const { topic, producer } = await kafkaTopic(1);
    const sku = uniqueName('CLI').toUpperCase();
    await publish(producer, topic, [e.product(sku), e.batch(`${sku}-b`, sku, 4)]);
    const cli = run(
      ['--port', '0', '--host', '127.0.0.1', '--group', uniqueName('g'), '--no-read-cache'],
      {
        DATABASE_URL: database.url,
        KAFKA_BROKERS: kafkaBrokers().join(','),
        STRANGLER_EVENTS_TOPIC: topic,
      },
    );
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
    expect(cli.output().stdout).toMatch(/"msg":"service stopped"/);
  });
});
