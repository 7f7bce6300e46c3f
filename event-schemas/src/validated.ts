// Events built by createEvent are validated there and frozen, so they cannot become invalid
// afterwards: encoding them need not validate the envelope again. A producer encodes every event
// it creates, and the second check cost as much as the first.
const validated = new WeakSet<object>();

export function markValidated<T extends object>(event: T): T {
  const data = (event as { data?: unknown }).data;
  if (data && typeof data === 'object') Object.freeze(data);
  validated.add(Object.freeze(event));
  return event;
}

export function isValidated(event: unknown): boolean {
  return typeof event === 'object' && event !== null && validated.has(event);
}
