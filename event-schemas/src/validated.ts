// Events built by createEvent are validated there and frozen, so they cannot become invalid
// afterwards: encoding them need not validate the envelope again. A producer encodes every event
// it creates, and the second check cost as much as the first. The mark names the catalog that
// validated the event: another catalog checks it against its own definitions.
const validated = new WeakMap<object, object>();

export function markValidated<T extends object>(event: T, catalog: object): T {
  deepFreeze((event as { data?: unknown }).data);
  validated.set(Object.freeze(event), catalog);
  return event;
}

export function isValidated(event: unknown, catalog: object): boolean {
  return typeof event === 'object' && event !== null && validated.get(event) === catalog;
}

/**
 * Nested arrays and objects too: a line pushed into `data.lines` after validation would otherwise
 * be encoded unchecked. Stopping at a frozen value also stops at a cycle.
 */
function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}
