import { parseArgs } from 'node:util';

/** Bad command line: printed with a hint to --help, exit code 2. */
export class UsageError extends Error {}

const OPTIONS = {
  config: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  'admin-port': { type: 'string' },
  'admin-host': { type: 'string' },
  'admin-url': { type: 'string' },
  'audit-log': { type: 'string' },
  'control-db': { type: 'string' },
  'log-level': { type: 'string' },
  'no-admin': { type: 'boolean' },
  token: { type: 'string' },
  percent: { type: 'string' },
  reason: { type: 'string' },
  actor: { type: 'string' },
  limit: { type: 'string' },
  json: { type: 'boolean' },
  secret: { type: 'string' },
  ttl: { type: 'string' },
  store: { type: 'string' },
  table: { type: 'string' },
  candidate: { type: 'string' },
  route: { type: 'string' },
  header: { type: 'string', multiple: true },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type Flags = ReturnType<typeof parse>['values'];

export function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function intOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new UsageError(`${name} must be a port number (got ${value})`);
  return n;
}
