import { request } from 'undici';
import { ProxyError } from '../errors.js';

/** Talks to a running proxy's admin API. */
export class AdminClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string | undefined,
  ) {}

  async call<T>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> {
    if (!this.token) {
      throw new ProxyError(
        'admin_token_missing',
        'no admin token: set STRANGLER_ADMIN_TOKEN or pass --token',
      );
    }
    let res;
    try {
      res = await request(new URL(path, this.baseUrl), {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        headersTimeout: 30_000,
        bodyTimeout: 30_000,
      });
    } catch (err) {
      throw new ProxyError(
        'admin_request_failed',
        `cannot reach the admin API at ${this.baseUrl}: ${(err as Error).message}`,
        {
          retriable: true,
          cause: err,
        },
      );
    }
    const text = await res.body.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON: keep the text for the error message.
    }
    if (res.statusCode >= 400 && res.statusCode !== 422) {
      const b = parsed as { message?: string; error?: string };
      throw new ProxyError(
        'admin_request_failed',
        `admin API ${method} ${path}: ${res.statusCode} ${b.error ?? ''} ${b.message ?? text}`.trim(),
      );
    }
    return { status: res.statusCode, body: parsed as T };
  }
}
