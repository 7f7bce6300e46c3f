import { describe, expect, it } from 'vitest';
import { ProxyError } from '../errors.js';
import { parseConfigText } from './load.js';

const FILE = '/etc/strangler/routes.yaml';

function issuesOf(text: string, env: Record<string, string> = {}) {
  try {
    parseConfigText(text, FILE, { env });
  } catch (err) {
    expect(err).toBeInstanceOf(ProxyError);
    return (err as ProxyError).issues;
  }
  throw new Error('expected the config to be rejected');
}

const base = `upstreams:
  legacy: http://127.0.0.1:3000
  new: http://127.0.0.1:3001
`;

describe('parseConfigText', () => {
  it('accepts the minimal route file and fills the defaults', () => {
    const { config, version } = parseConfigText(
      base +
        `routes:
  - id: availability
    match: { path: /products/:sku/availability, methods: [GET] }
    mode: legacy
`,
      FILE,
    );
    expect(config.routes[0]?.id).toBe('availability');
    expect(config.servedByHeader).toBe('x-served-by');
    expect(config.timeouts).toEqual({
      connect: 5000,
      response: 60_000,
      idle: 60_000,
      shutdown: 30_000,
    });
    expect(config.sticky).toEqual({ cookie: 'strangler-id', assign: true });
    expect(version).toMatch(/^[0-9a-f]{12}$/);
  });

  it('rejects a route with an unknown mode, naming the file, line, route and field', () => {
    const [issue, ...rest] = issuesOf(
      base +
        `routes:
  - id: availability
    match: { path: /products/:sku/availability }
    mode: neww
`,
    );
    expect(rest).toEqual([]);
    expect(issue).toMatchObject({
      file: FILE,
      line: 7,
      route: 'availability',
      field: 'routes[0].mode',
    });
    expect(issue?.message).toContain('"neww"');
  });

  it('reports every issue at once, including unknown keys', () => {
    const issues = issuesOf(
      base +
        `timeouts: { connect: 5 minutes }
routes:
  - id: a
    match: { path: /a, method: [GET] }
`,
    );
    expect(issues.map((i) => i.field).sort()).toEqual(['routes[0].match', 'timeouts.connect']);
    expect(issues.find((i) => i.field === 'routes[0].match')?.message).toContain('"method"');
  });

  it('reports YAML syntax errors with their position', () => {
    const [issue] = issuesOf('upstreams:\n  legacy: [http://x\n');
    expect(issue).toMatchObject({ file: FILE, field: '(yaml)' });
    expect(issue?.line).toBeGreaterThan(0);
  });

  it('never prints a secret in an error: a token or secret by its length, a URL without its password', () => {
    const issues = issuesOf(`upstreams:
  legacy: http://127.0.0.1:3000
  new: { url: "http://svc:hunter2@host:99999" }
admin: { token: tooShortSecret }
override: { secret: 12345 }
`);
    expect(issues.map((i) => [i.field, i.message]).sort()).toEqual([
      [
        'admin.token',
        'the admin token must be at least 16 characters (got a 14-character value, not shown)',
      ],
      [
        'override.secret',
        'Invalid input: expected string, received number (got a number, not shown)',
      ],
    ]);
    const url = issuesOf(`upstreams:
  legacy: http://127.0.0.1:3000
  new: { url: "http://svc:hunter2@host:99999" }
`);
    expect(url.map((i) => i.message)).toEqual(['not a URL: "http://svc:***@host:99999"']);
    expect(JSON.stringify([issues, url])).not.toMatch(/tooShortSecret|12345|hunter2/);
  });

  it('reads sizes as numbers of bytes or strings with units', () => {
    const { config } = parseConfigText(
      `${base}limits: { maxHeaderBytes: 32kb, maxBodyBytes: 0 }\n`,
      FILE,
    );
    expect(config.limits).toEqual({
      maxHeaderBytes: 32768,
      maxBodyBytes: 0,
      headersTimeout: 10_000,
      requestTimeout: 60_000,
    });
  });

  it('reads durations as numbers of ms or strings with units', () => {
    const { config } = parseConfigText(
      base + 'timeouts: { connect: 250ms, response: 1.5s, idle: 2m, shutdown: 100 }\n',
      FILE,
    );
    expect(config.timeouts).toEqual({ connect: 250, response: 1500, idle: 120_000, shutdown: 100 });
  });
});

describe('environment interpolation', () => {
  const text = `upstreams:
  legacy: \${LEGACY_URL}
  new: \${NEW_URL:-http://127.0.0.1:3001}
override: { secret: "\${OVERRIDE_SECRET}" }
routes:
  - id: literal
    description: "costs $\${PRICE}"
    match: { path: /a }
`;

  it('fills ${VAR} from the environment and ${VAR:-default} from its default', () => {
    const { config } = parseConfigText(text, FILE, {
      env: { LEGACY_URL: 'http://legacy:8080', OVERRIDE_SECRET: 's3cr3t-with: yaml # chars' },
    });
    expect(config.upstreams).toEqual({
      legacy: 'http://legacy:8080',
      new: 'http://127.0.0.1:3001',
    });
    expect(config.override.secret).toBe('s3cr3t-with: yaml # chars');
    expect(config.routes[0]?.description).toBe('costs ${PRICE}');
  });

  it('names the missing variable and the field that uses it', () => {
    const issues = issuesOf(text, { OVERRIDE_SECRET: 'long-enough-secret-123' });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ field: 'upstreams.legacy', line: 2 });
    expect(issues[0]?.message).toContain('LEGACY_URL is not set');
  });
});

describe('cross-field rules', () => {
  const rule = (yaml: string) => issuesOf(base + yaml);

  it('refuses a mode on a grouped route: the group switches all its routes together', () => {
    const [issue] = rule(`groups: [{ id: writes, mode: legacy }]
routes:
  - { id: allocate, group: writes, mode: new, match: { path: /allocate } }
`);
    expect(issue).toMatchObject({ route: 'allocate', field: 'routes[0].mode' });
    expect(issue?.message).toContain('set mode on the group');
  });

  it('refuses a reference to an unknown group or upstream', () => {
    const issues = rule(`routes:
  - { id: a, group: nope, match: { path: /a } }
  - { id: b, upstreams: { new: billing }, match: { path: /b } }
`);
    expect(issues.map((i) => i.message)).toEqual([
      'no group with id "nope" in groups',
      'its new upstream "billing" is not defined in upstreams',
    ]);
  });

  it('requires a percent for canary and a legacy upstream for unmatched requests', () => {
    expect(rule('routes: [{ id: a, match: { path: /a }, mode: canary }]\n')[0]?.message).toBe(
      'canary mode needs a percent (0-100)',
    );
    const [issue] = issuesOf('upstreams: { new: http://x:1 }\n');
    expect(issue?.message).toContain('"legacy" is required');
  });

  it('refuses duplicate ids across routes and groups', () => {
    const [issue] = rule(`groups: [{ id: a }]
routes: [{ id: a, match: { path: /a } }]
`);
    expect(issue?.message).toContain('already used by group #1');
  });

  it('refuses a sticky path parameter the route does not have', () => {
    const [issue] = rule(
      'routes: [{ id: a, match: { path: /a/:id }, mode: canary, percent: 5, sticky: { param: sku } }]\n',
    );
    expect(issue).toMatchObject({ route: 'a', field: 'routes[0].sticky.param' });
  });

  it('refuses bad path patterns, regexes and upstream URLs', () => {
    const issues = issuesOf(`upstreams: { legacy: "ftp://x", new: "not a url" }
routes:
  - { id: a, match: { path: "/a/**/b" } }
  - { id: b, match: { path: /b, headers: { x: { regex: "(" } } } }
`);
    expect(issues.map((i) => i.field)).toEqual([
      'upstreams.legacy',
      'upstreams.new',
      'routes[0].match.path',
      'routes[1].match.headers.x.regex',
    ]);
  });
});
