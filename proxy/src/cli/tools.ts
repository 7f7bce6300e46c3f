import { configJsonSchema } from '../config/json-schema.js';
import { parseDuration } from '../config/duration.js';
import { loadConfigFile } from '../config/load.js';
import { signOverride } from '../routing/override.js';
import { UsageError, type Flags } from './flags.js';

/** `strangler-proxy check`: validates a file; a ProxyError (exit 2) lists every issue. */
export async function check(
  flags: Flags,
  env: NodeJS.ProcessEnv,
  out: (s: string) => void,
): Promise<number> {
  const file = flags.config ?? env.STRANGLER_PROXY_CONFIG;
  if (!file) throw new UsageError('--config FILE is required');
  const loaded = await loadConfigFile(file, { env });
  const c = loaded.config;
  out(
    `${loaded.file}: ok (version ${loaded.version}; ${c.routes.length} routes, ${c.groups.length} groups, upstreams ${Object.keys(c.upstreams).join(', ')})`,
  );
  return 0;
}

export function schema(out: (s: string) => void): number {
  out(JSON.stringify(configJsonSchema(), null, 2));
  return 0;
}

/** `strangler-proxy sign-override legacy|new`: prints a header value testers can send. */
export async function signOverrideCommand(
  args: string[],
  flags: Flags,
  env: NodeJS.ProcessEnv,
  out: (s: string) => void,
): Promise<number> {
  const role = args[0];
  if (role !== 'legacy' && role !== 'new')
    throw new UsageError('usage: sign-override legacy|new [--ttl 1h]');
  let secret = flags.secret ?? env.STRANGLER_OVERRIDE_SECRET;
  const file = flags.config ?? env.STRANGLER_PROXY_CONFIG;
  let header = 'x-strangler-override';
  if (file) {
    const loaded = await loadConfigFile(file, { env });
    secret ??= loaded.config.override.secret;
    header = loaded.config.override.header;
  }
  if (!secret)
    throw new UsageError(
      'no secret: pass --secret, set STRANGLER_OVERRIDE_SECRET, or --config a file with override.secret',
    );
  let ttl: number;
  try {
    ttl = parseDuration(flags.ttl ?? '1h');
  } catch (err) {
    throw new UsageError(`--ttl: ${(err as Error).message}`);
  }
  out(`${header}: ${signOverride(secret, role, new Date(Date.now() + ttl))}`);
  return 0;
}
