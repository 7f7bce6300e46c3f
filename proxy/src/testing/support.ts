import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { request, type Dispatcher } from 'undici';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const OVERRIDE_SECRET = 'test-override-secret-0123456789';

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** A temporary directory removed by the returned cleanup. */
export async function tempDir(): Promise<{
  dir: string;
  file(name: string): string;
  cleanup(): Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'strangler-proxy-'));
  return {
    dir,
    file: (name) => join(dir, name),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

export async function writeConfig(path: string, text: string): Promise<string> {
  await writeFile(path, text);
  return path;
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

/** One HTTP request; the body is read whole. */
export async function send(
  url: string,
  options: {
    method?: Dispatcher.HttpMethod;
    headers?: Record<string, string>;
    body?: string | Buffer;
    dispatcher?: Dispatcher;
  } = {},
): Promise<Reply> {
  const res = await request(url, {
    method: options.method ?? 'GET',
    headers: options.headers ?? {},
    ...(options.body === undefined ? {} : { body: options.body }),
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
  });
  const text = await res.body.text();
  return {
    status: res.statusCode,
    headers: res.headers,
    text,
    json: <T>() => JSON.parse(text) as T,
  };
}

/** Admin API call with the test token. */
export function admin(adminUrl: string, path: string, body?: unknown): Promise<Reply> {
  return send(adminUrl + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

export { eventually } from '@strangler/tests/harness';

/** A pino logger whose JSON lines the test can read. */
export function capturingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info' },
    {
      write(line: string) {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  );
  return { logger, lines };
}
