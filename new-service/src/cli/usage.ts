import { DEFAULTS } from '../options.js';
import type { CliOption, ServiceCliOptions } from '../types.js';
import { COMMON_FLAGS } from './parse.js';

/** The `--help` text: commands, the kit's flags with their variables, then the user's. */
export function usage<O extends Record<string, CliOption>>(spec: ServiceCliOptions<O>): string {
  const d = spec.defaults ?? {};
  const defaults: Record<string, string> = {
    port: ` (default ${d.port ?? DEFAULTS.port})`,
    host: ` (default ${d.host ?? DEFAULTS.host})`,
    'pool-size': ` (default ${d.poolSize ?? DEFAULTS.poolSize})`,
  };
  const rows: [string, string, string][] = Object.entries(COMMON_FLAGS).map(
    ([flag, [env, value, help]]) => [`--${flag} ${value}`, env, `${help}${defaults[flag] ?? ''}`],
  );
  for (const option of Object.values(spec.options ?? {})) {
    const fallback = option.default === undefined ? '' : ` (default ${String(option.default)})`;
    const flag =
      option.type === 'boolean'
        ? `--[no-]${option.flag}`
        : `--${option.flag} ${option.type === 'integer' ? '<n>' : '<value>'}`;
    rows.push([flag, option.env ?? '', `${option.description}${fallback}`]);
  }
  rows.push(['--id <n>', '', 'replay-dead-letters: only this dead letter (repeatable)']);
  rows.push(['--consumer <name>', '', "replay-dead-letters: only this consumer's letters"]);
  rows.push(['-h, --help', '', 'print this help']);
  const width = Math.max(...rows.map(([flag]) => flag.length)) + 2;
  const envWidth = Math.max(...rows.map(([, env]) => env.length)) + 2;
  const lines = rows.map(([flag, env, help]) =>
    `  ${flag.padEnd(width)}${env.padEnd(envWidth)}${help}`.trimEnd(),
  );
  return `${spec.name}: ${spec.description}

Usage: ${spec.name} [serve] [options]
       ${spec.name} replay-dead-letters [--id <n>]... [--consumer <name>]
       ${spec.name} rebuild <consumer>

Options (each flag wins over its environment variable):
${lines.join('\n')}

serve (the default) migrates the database, listens, and consumes in the background;
GET /healthz checks the database, GET /status reports every consumer's lag and readiness.
SIGINT/SIGTERM stop it cleanly (the batch in flight finishes its transaction); a second
signal exits at once.

replay-dead-letters applies dead letters again through their consumer, oldest first, once
their cause is fixed; it prints one JSON line per letter and exits 1 if any failed again.

rebuild <consumer> empties what the consumer built and makes it start over from the start
of its topic at the next start; it refuses (exit 1) while its consumer group has members.

Exit codes: 0 done, 1 failed, 2 bad configuration (the message names the variable and flag).`;
}
