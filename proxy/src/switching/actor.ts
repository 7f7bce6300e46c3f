/**
 * Who an audit entry names: the actor given, or else what can be said about the caller, so no
 * entry is anonymous (`admin-api@10.0.0.7`, `api caller`).
 */
export function actorOf(given: string | undefined, fallback: string): string {
  const named = given?.trim();
  return named ? named.slice(0, 200) : fallback;
}

/** The fallback for a caller of the admin API: its source and the address it came from. */
export function adminCaller(source: string, address: string | undefined): string {
  return `${source}@${address?.replace(/^::ffff:/, '') ?? 'unknown address'}`;
}
