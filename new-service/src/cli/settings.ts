import { configError } from '../errors.js';
import type { CliOption } from '../types.js';

// Values of settings read from flags and variables, each error naming the variable and the flag.

export function ownValues(
  own: Record<string, CliOption>,
  values: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  pick: (flag: string, name?: string) => string | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, option] of Object.entries(own)) {
    const name = option.env === undefined ? `--${option.flag}` : `${option.env} (--${option.flag})`;
    if (option.type === 'boolean') {
      if (values[option.flag] === true) out[key] = true;
      else if (values[`no-${option.flag}`] === true) out[key] = false;
      else out[key] = switchSetting(option.env && env[option.env]?.trim(), name, option.default);
    } else if (option.type === 'integer') {
      const raw = pick(option.flag, option.env);
      out[key] =
        raw === undefined && option.default === undefined
          ? undefined
          : integerSetting(
              raw,
              name,
              option.default ?? 0,
              option.min ?? 0,
              option.max ?? Number.MAX_SAFE_INTEGER,
            );
    } else {
      out[key] = pick(option.flag, option.env) ?? option.default;
    }
  }
  return out;
}

export function optionalInteger(raw: string | undefined, name: string): number | undefined {
  return raw === undefined ? undefined : integerSetting(raw, name, 0, 0, Number.MAX_SAFE_INTEGER);
}

function switchSetting(raw: string | undefined, name: string, fallback: boolean): boolean {
  if (!raw) return fallback;
  if (/^(on|true|1|yes)$/i.test(raw)) return true;
  if (/^(off|false|0|no)$/i.test(raw)) return false;
  throw configError(`${name} must be on or off, got "${raw}"`);
}

export function integerSetting(
  raw: string | undefined,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined) return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw configError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}
