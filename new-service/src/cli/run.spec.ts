import { kafkaBrokers, testDatabase, uniqueName } from '@strangler/tests/harness';
import pg from 'pg';
import { beforeEach, describe, expect, it } from 'vitest';
import { get } from '../http/router.js';
import { events as e, kafkaTopic, publish, waitFor } from '../testing/kafka.fixture.js';
import { loyaltyConsumer, loyaltyMigrations } from '../testing/loyalty.fixture.js';
import type { ServiceCliOptions } from '../types.js';
import { runServiceCli } from './run.js';

const options = {
  topic: {
    type: 'string',
    flag: 'topic',
    env: 'LOYALTY_TOPIC',
    default: 'loyalty.events',
    description: 'topic of the loyalty events',
  },
  greeting: {
    type: 'boolean',
    flag: 'greeting',
    env: 'GREETING',
    default: true,
    description: 'say hello',
  },
} as const;

let group = uniqueName('g');
const cli: ServiceCliOptions<typeof options> = {
  name: 'loyalty-service',
  description: 'the loyalty projection',
  options,
  defaults: { port: 0, host: '127.0.0.1' },
  service: (config) => ({
    consumers: [loyaltyConsumer({ topic: config.options.topic, group })],
    migrations: loyaltyMigrations(),
    routes: [get('/hello', () => (config.options.greeting ? 'hello' : 'quiet'))],
  }),
};

/** Runs the CLI in this process with its own arguments, environment, output and signals. */
function run(
  argv: string[],
  env: Record<string, string> = {},
  spec: ServiceCliOptions<never> = cli as never,
) {
  let stdout = '';
  let stderr = '';
  const handlers: ((signal: NodeJS.Signals) => void)[] = [];
  let exited!: (code: number) => void;
  const exit = new Promise<number>((resolve) => (exited = resolve));
  const done = runServiceCli(spec, {
    argv,
    env: { LOG_LEVEL: 'info', ...env },
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    exit: (code) => exited(code),
    onSignal: (handler) => handlers.push(handler),
  });
  return {
    exit,
    done,
    signal: (name: NodeJS.Signals) => handlers.forEach((h) => h(name)),
    stdout: () => stdout,
    stderr: () => stderr,
  };
}

let databaseUrl: string;
const db = async () => {
  if (!databaseUrl) {
    databaseUrl = (await testDatabase('kit_cli')).url;
  }
  return databaseUrl;
};

describe('runServiceCli: configuration', () => {
  it("prints the kit's and the service's options for --help and exits 0", async () => {
    const help = run(['--help']);
    expect(await help.exit).toBe(0);
    expect(help.stdout()).toMatch(/--database-url <url>\s+DATABASE_URL/);
    expect(help.stdout()).toMatch(
      /--topic <value>\s+LOYALTY_TOPIC\s+topic of the loyalty events \(default loyalty.events\)/,
    );
    expect(help.stdout()).toMatch(/--\[no-\]greeting\s+GREETING/);
  });

  it.each([
    [[], {}, /^loyalty-service: DATABASE_URL is required: set it or pass --database-url /],
    [
      [],
      { DATABASE_URL: 'postgres://u@h/d' },
      /^loyalty-service: KAFKA_BROKERS is required: set it or pass --kafka-brokers/,
    ],
    [
      ['--port', 'http'],
      { DATABASE_URL: 'postgres://u@h/d' },
      /^loyalty-service: PORT \(--port\) must be an integer from 0 to 65535, got "http"\n$/,
    ],
    [
      [],
      { DATABASE_URL: 'mysql://u@h/d' },
      /^loyalty-service: DATABASE_URL \(--database-url\) must start with postgres:\/\//,
    ],
    [
      [],
      { DATABASE_URL: 'postgres://u@h/d', GREETING: 'maybe' },
      /^loyalty-service: GREETING \(--greeting\) must be on or off, got "maybe"\n$/,
    ],
    [
      ['replay'],
      { DATABASE_URL: 'postgres://u@h/d' },
      /^loyalty-service: unknown command "replay": the commands are serve/,
    ],
    [
      ['rebuild'],
      { DATABASE_URL: 'postgres://u@h/d' },
      /^loyalty-service: rebuild needs the name of one consumer/,
    ],
    [
      ['--id', '3'],
      { DATABASE_URL: 'postgres://u@h/d' },
      /^loyalty-service: --id only goes with the replay-dead-letters command\n$/,
    ],
    [['--bogus'], { DATABASE_URL: 'postgres://u@h/d' }, /--bogus/],
  ])('exits 2 with one line naming the setting: %j %j', async (argv, env, message) => {
    const bad = run(argv, env);
    expect(await bad.exit).toBe(2);
    expect(bad.stderr()).toMatch(message);
    expect(bad.stderr().trimEnd().split('\n').length).toBeLessThanOrEqual(2);
  });

  it('never prints the database password', async () => {
    const bad = run(['--port', '99999'], { DATABASE_URL: 'postgres://u:hunter2@h/d' });
    expect(await bad.exit).toBe(2);
    expect(bad.stderr()).not.toContain('hunter2');
  });

  it('exits 1 with a fatal log line when the database cannot be reached', async () => {
    const down = run([], {
      DATABASE_URL: 'postgres://u:p@127.0.0.1:1/d',
      KAFKA_BROKERS: kafkaBrokers().join(','),
    });
    expect(await down.exit).toBe(1);
    expect(down.stdout()).toMatch(/"level":60.*"msg":"service failed to start"/);
    expect(down.stdout()).not.toContain('"p@');
  });
});

describe('runServiceCli: commands', () => {
  // A group per test: a service stopped by a second signal may still be leaving its group.
  beforeEach(() => {
    group = uniqueName('g');
  });

  it("serves, consumes, stops cleanly on SIGTERM (exit 0), and honours the service's own flags", async () => {
    const { topic, producer } = await kafkaTopic(1);
    await publish(producer, topic, [e.joined('cli')]);
    const serving = run(['--no-greeting'], {
      DATABASE_URL: await db(),
      KAFKA_BROKERS: kafkaBrokers().join(','),
      LOYALTY_TOPIC: topic,
    });
    await waitFor(() => /"url":"http/.test(serving.stdout()));
    const url = /"url":"(http:\/\/[^"]+)"/.exec(serving.stdout())![1]!;
    await waitFor(
      async () => ((await (await fetch(`${url}/status`)).json()) as { caughtUp: boolean }).caughtUp,
    );
    expect(await (await fetch(`${url}/hello`)).json()).toBe('quiet');
    serving.signal('SIGTERM');
    expect(await serving.exit).toBe(0);
    expect(serving.stdout()).toMatch(/"msg":"service stopped"/);
  });

  it('exits 1 at once on a second signal', async () => {
    const { topic } = await kafkaTopic(1);
    const serving = run([], {
      DATABASE_URL: await db(),
      KAFKA_BROKERS: kafkaBrokers().join(','),
      LOYALTY_TOPIC: topic,
    });
    await waitFor(() => /"url":"http/.test(serving.stdout()));
    serving.signal('SIGINT');
    serving.signal('SIGINT');
    expect(await serving.exit).toBe(1);
    expect(serving.stdout()).toMatch(/second signal: exiting without waiting/);
  });

  it('replays dead letters (one JSON line each, exit 1 if one fails again) and rebuilds a consumer', async () => {
    const url = await db();
    const { topic, producer } = await kafkaTopic(1);
    // Both movements come before the member exists: dead letters (foreign key, class 23).
    await publish(producer, topic, [
      e.earned('later', 2, 1),
      e.spent('later', 5, 2),
      e.joined('later'),
    ]);
    const env = {
      DATABASE_URL: url,
      KAFKA_BROKERS: kafkaBrokers().join(','),
      LOYALTY_TOPIC: topic,
    };
    const serving = run([], env);
    await waitFor(() => /"url":"http/.test(serving.stdout()));
    const service = /"url":"(http:\/\/[^"]+)"/.exec(serving.stdout())![1]!;
    await waitFor(
      async () =>
        ((await (await fetch(`${service}/status`)).json()) as { caughtUp: boolean }).caughtUp,
    );

    const busy = run(['rebuild', 'loyalty'], env);
    expect(await busy.exit).toBe(1);
    expect(busy.stderr()).toMatch(
      /^loyalty-service: consumer group ".*" of "loyalty" has 1 active member/,
    );
    serving.signal('SIGTERM');
    expect(await serving.exit).toBe(0);

    // The earn applies now; the spend is more than the member has and fails again.
    const replay = run(['replay-dead-letters', '--consumer', 'loyalty'], { DATABASE_URL: url });
    expect(await replay.exit).toBe(1);
    const lines = replay
      .stdout()
      .split('\n')
      .filter((l) => l.startsWith('{"id"'))
      .map((l) => JSON.parse(l) as { id: string; outcome: string; reason?: { code: string } });
    expect(lines.map((l) => [l.outcome, l.reason?.code])).toEqual([
      ['applied', undefined],
      ['dead_lettered', 'insufficient_points'],
    ]);
    const again = run(['replay-dead-letters', '--id', lines[0]!.id], { DATABASE_URL: url });
    expect(await again.exit).toBe(0);
    expect(again.stdout()).not.toMatch(/\{"id"/);

    const unknown = run(['rebuild', 'nope'], env);
    expect(await unknown.exit).toBe(2);
    expect(unknown.stderr()).toBe(
      'loyalty-service: rebuild: no consumer "nope" in loyalty-service: loyalty\n',
    );
    const rebuild = run(['rebuild', 'loyalty'], env);
    expect(await rebuild.exit).toBe(0);
    expect(
      JSON.parse(
        rebuild
          .stdout()
          .split('\n')
          .find((l) => l.startsWith('{"consumer"'))!,
      ),
    ).toMatchObject({
      consumer: 'loyalty',
      removed: { deadLetters: 2 },
    });
    const check = new pg.Client({ connectionString: url });
    await check.connect();
    const { rows } = await check.query(`SELECT count(*)::int AS n FROM loyalty_member`);
    await check.end();
    expect(rows[0].n).toBe(0);
  });
});

it('needs no Kafka for a service without consumers', async () => {
  const plain = run(
    [],
    { DATABASE_URL: await db() },
    {
      name: 'plain',
      description: 'no consumers',
      defaults: { port: 0, host: '127.0.0.1' },
      service: () => ({}),
    },
  );
  await waitFor(() => /"url":"http/.test(plain.stdout()));
  const url = /"url":"(http:\/\/[^"]+)"/.exec(plain.stdout())![1]!;
  expect((await fetch(`${url}/healthz`)).status).toBe(200);
  plain.signal('SIGTERM');
  expect(await plain.exit).toBe(0);
});
