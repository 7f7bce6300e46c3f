import { ProxyError } from './errors.js';
import { HELP } from './cli/help.js';
import { UsageError, parse } from './cli/flags.js';
import { controlCommand } from './cli/control.js';
import { routes } from './cli/routes.js';
import { serve } from './cli/serve.js';
import { shadowCommand } from './cli/shadow.js';
import { check, schema, signOverrideCommand } from './cli/tools.js';

const out = (s: string) => process.stdout.write(s + '\n');

/** Runs the CLI; resolves to an exit code, or never for `serve` (it exits on a signal). */
export async function main(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number | undefined> {
  const { values: flags, positionals } = parse(argv);
  if (flags.help) {
    out(HELP);
    return 0;
  }
  const [command = 'serve', ...rest] = positionals;
  switch (command) {
    case 'serve':
      await serve(flags, env);
      return undefined;
    case 'check':
      return check(flags, env, out);
    case 'schema':
      return schema(out);
    case 'routes':
      return routes(rest, flags, env, out);
    case 'shadow':
      return shadowCommand(rest, flags, env, out);
    case 'control':
      return controlCommand(rest, flags, env, out);
    case 'sign-override':
      return signOverrideCommand(rest, flags, env, out);
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`strangler-proxy: ${err.message}\n(see strangler-proxy --help)\n`);
      process.exitCode = 2;
    } else if (err instanceof ProxyError) {
      process.stderr.write(`strangler-proxy: ${err.message}\n`);
      process.exitCode =
        err.code === 'config_invalid' ||
        err.code === 'config_unreadable' ||
        err.code === 'admin_token_missing'
          ? 2
          : 1;
    } else {
      process.stderr.write(`strangler-proxy: ${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    }
  },
);
