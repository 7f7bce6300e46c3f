/** A Kafka message as received, kept byte for byte in a dead letter. */
export interface RawMessage {
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
  timestamp?: string;
}

/** A header value in a dead letter: the text when it is UTF-8, the bytes in base64 otherwise. */
export type HeaderJson = string | { base64: string } | null;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function headerValue(value: Buffer | string | undefined): HeaderJson {
  if (value === undefined) return null;
  if (typeof value === 'string') return noNul(value);
  try {
    const text = strictUtf8.decode(value);
    // Postgres text and jsonb cannot hold NUL: such a value is kept as bytes.
    if (!text.includes('\0')) return text;
  } catch {
    // not UTF-8: kept as bytes below
  }
  return { base64: value.toString('base64') };
}

/** Postgres text cannot hold NUL (U+0000): it becomes U+FFFD, so the row can always be written. */
export function noNul(text: string): string {
  return text.includes('\0') ? text.replaceAll('\0', '\uFFFD') : text;
}

/** {@link noNul} applied to every string of a JSON value, for jsonb columns. */
export function jsonWithoutNul(value: unknown): unknown {
  if (typeof value === 'string') return noNul(value);
  if (Array.isArray(value)) return value.map(jsonWithoutNul);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [noNul(k), jsonWithoutNul(v)]));
  }
  return value;
}

/** Kafka headers as JSON, keeping every value (repeated headers as arrays) and every byte. */
export function headersToJson(
  headers: RawMessage['headers'],
): Record<string, HeaderJson | HeaderJson[]> {
  const out: Record<string, HeaderJson | HeaderJson[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[noNul(name)] = Array.isArray(value) ? value.map(headerValue) : headerValue(value);
  }
  return out;
}

function headerBytes(value: HeaderJson): Buffer | undefined {
  if (value === null) return undefined;
  return typeof value === 'string' ? Buffer.from(value) : Buffer.from(value.base64, 'base64');
}

/** The headers of a stored dead letter back as kafkajs delivers them (Buffers). */
export function headersFromJson(
  headers: Record<string, HeaderJson | HeaderJson[]>,
): RawMessage['headers'] {
  const out: RawMessage['headers'] = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = Array.isArray(value)
      ? value.map(headerBytes).filter((v): v is Buffer => v !== undefined)
      : headerBytes(value);
  }
  return out;
}
