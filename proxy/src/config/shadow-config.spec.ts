import { describe, expect, it } from 'vitest';
import { ProxyError } from '../errors.js';
import { parseConfigText } from './load.js';

const FILE = '/etc/strangler/routes.yaml';
const base = `upstreams:
  legacy: http://127.0.0.1:3000
  new: http://127.0.0.1:3001
`;

function issuesOf(text: string) {
  try {
    parseConfigText(text, FILE);
  } catch (err) {
    expect(err).toBeInstanceOf(ProxyError);
    return (err as ProxyError).issues;
  }
  throw new Error('expected the config to be rejected');
}

describe('shadow and gates config', () => {
  it('has safe defaults: 1 MiB bodies, a bounded queue, a 5 s timeout, no store', () => {
    const { config } = parseConfigText(base, FILE);
    expect(config.shadow).toEqual({
      queue: 1000,
      queueBytes: 64 * 1024 * 1024,
      maxLoopUtilization: 0.9,
      concurrency: 16,
      timeout: 5000,
      maxBodyBytes: 1024 * 1024,
      compareHeaders: ['content-type', 'location'],
      keepMismatches: 50,
    });
  });

  it('fills the defaults of a route block: sample 1, no noise learning, writes not shadowed', () => {
    const { config } = parseConfigText(
      `${base}routes:
  - id: a
    match: { path: /a }
    mode: shadow
    shadow: { ignore: [/generatedAt, "header:x-request-id"], learnNoise: { sample: 0.5 }, timeout: 2s }
    gates: { promote: {}, rollback: {} }
`,
      FILE,
    );
    const route = config.routes[0];
    expect(route?.shadow).toMatchObject({
      enabled: true,
      sample: 1,
      dryRun: false,
      canary: true,
      timeout: 2000,
      ignore: ['/generatedAt', 'header:x-request-id'],
      learnNoise: { sample: 0.5, warmup: 20, margin: 0.2 },
    });
    expect(route?.gates).toMatchObject({
      enabled: true,
      interval: 15_000,
      window: 600_000,
      cooldown: 1_800_000,
      promote: {
        steps: [10, 50, 'new'],
        minSamples: 200,
        minMatchRate: 0.99,
        maxErrorRateDiff: 0.01,
        maxP99Ratio: 1.5,
        minDuration: 300_000,
      },
      rollback: { to: 'shadow', minSamples: 20 },
    });
  });

  it('rejects malformed ignore rules and normalizer pointers, naming the file, route, field and line', () => {
    const issues = issuesOf(`${base}routes:
  - id: a
    match: { path: /a }
    shadow:
      ignore: [items/updatedAt, /a/**/b]
      normalize: { sortArrays: [{ pointer: items }] }
`);
    expect(issues).toEqual([
      expect.objectContaining({
        file: FILE,
        route: 'a',
        field: 'routes[0].shadow.ignore[0]',
        line: 8,
        message: expect.stringMatching(/JSON pointer starting with "\/".*got "items\/updatedAt"/),
      }),
      expect.objectContaining({
        route: 'a',
        field: 'routes[0].shadow.ignore[1]',
        message: expect.stringMatching(/"\*\*" may only be the last token/),
      }),
      expect.objectContaining({
        route: 'a',
        field: 'routes[0].shadow.normalize.sortArrays[0].pointer',
      }),
    ]);
  });

  it('rejects a sample above 1 and unknown keys', () => {
    const issues = issuesOf(`${base}routes:
  - id: a
    match: { path: /a }
    shadow: { sample: 2, ignroe: [] }
`);
    expect(issues.map((i) => i.field).sort()).toEqual([
      'routes[0].shadow',
      'routes[0].shadow.sample',
    ]);
  });

  it('rejects promotion steps out of order, "new" before the end, and gates on a grouped route', () => {
    const issues = issuesOf(`${base}groups:
  - id: writes
routes:
  - id: a
    match: { path: /a }
    gates: { promote: { steps: [50, 10, new, 80] } }
  - id: b
    group: writes
    match: { path: /b }
    gates: {}
`);
    expect(issues.map((i) => [i.route, i.field, i.message])).toEqual([
      ['a', 'routes[0].gates.promote.steps[1]', 'canary percents must increase (50 then 10)'],
      ['a', 'routes[0].gates.promote.steps[2]', '"new" can only be the last step'],
      [
        'b',
        'routes[1].gates',
        expect.stringMatching(/route is in group "writes": set gates on the group/),
      ],
    ]);
  });

  it('takes gates on a group, and refuses canary steps or rollback rules on a write group and gates on a group where nothing compares', () => {
    const catchUp =
      '{ barrier: http://127.0.0.1:3101/barrier, applied: http://127.0.0.1:3001/applied }';
    const { config } = parseConfigText(
      `${base}groups:
  - id: reads
    mode: shadow
    gates: { promote: { steps: [10, new], minSamples: 50 } }
routes:
  - id: a
    group: reads
    match: { path: /a }
    shadow: {}
`,
      FILE,
    );
    expect(config.groups[0]?.gates).toMatchObject({
      enabled: true,
      promote: { steps: [10, 'new'], minSamples: 50 },
    });
    const issues = issuesOf(`${base}groups:
  - id: writes
    mode: shadow
    writes: { toNew: ${catchUp} }
    gates: { promote: { steps: [50, new] }, rollback: { minMatchRate: 0.9 } }
  - id: quiet
    gates: {}
routes:
  - id: w
    group: writes
    match: { path: /w, methods: [POST] }
    shadow: { dryRun: true }
  - id: q
    group: quiet
    match: { path: /q }
`);
    expect(issues.map((i) => [i.group, i.field, i.message])).toEqual([
      [
        'writes',
        'groups[0].gates.promote.steps',
        'a write group moves from shadow straight to new (canary would give its aggregate two writers): use steps: [new] (got [50,"new"])',
      ],
      [
        'writes',
        'groups[0].gates.rollback',
        expect.stringMatching(/^rollback rules act in canary/),
      ],
      [
        'quiet',
        'groups[1].gates',
        "gates read the comparisons of the group's routes, but none of them (q) has shadow.enabled",
      ],
    ]);
  });
});
