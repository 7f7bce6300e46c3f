/**
 * The one rule for the admin token and the override secret, wherever they come from (the file,
 * the environment, `startProxy` options): long enough not to be guessed by a scan.
 */
export const MIN_SECRET_LENGTH = 16;

/** Why a secret given outside the file is refused (never its value), or undefined. */
export function weakSecret(name: string, value: string): string | undefined {
  return value.length >= MIN_SECRET_LENGTH
    ? undefined
    : `${name} must be at least ${MIN_SECRET_LENGTH} characters (it has ${value.length}; the value is not shown)`;
}
