import { KafkaErrorCode } from '../errors.js';
import { Writer } from '../protocol/writer.js';
import type { ApiHandler } from './api.js';

export const API_VERSIONS_KEY = 18;

/** The supported-versions list; min = max, because each API is served at exactly one version. */
export function apiVersionsBody(
  handlers: readonly ApiHandler[],
  errorCode: number,
  withThrottle: boolean,
): Writer {
  const w = new Writer()
    .int16(errorCode)
    .array(handlers, (w, h) => w.int16(h.key).int16(h.version).int16(h.version));
  if (withThrottle) w.int32(0);
  return w;
}

/** ApiVersions v2. An unsupported version is answered in v0 layout with UNSUPPORTED_VERSION (KIP-511). */
export function apiVersions(all: () => readonly ApiHandler[]): ApiHandler {
  return {
    key: API_VERSIONS_KEY,
    name: 'ApiVersions',
    version: 2,
    handle: () => apiVersionsBody(all(), KafkaErrorCode.NONE, true),
  };
}

export function unsupportedApiVersionsBody(all: readonly ApiHandler[]): Writer {
  return apiVersionsBody(all, KafkaErrorCode.UNSUPPORTED_VERSION, false);
}
