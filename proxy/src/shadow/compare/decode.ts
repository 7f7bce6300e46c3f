import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate, inflateRaw } from 'node:zlib';

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);
const inflateRawAsync = promisify(inflateRaw);
const brotliAsync = promisify(brotliDecompress);

export type Decoded =
  { ok: true; body: Buffer } | { ok: false; reason: 'size' | 'encoding'; message: string };

/** `gzip, br` -> ['gzip', 'br'], in the order they were applied. */
function codings(header: string | string[] | undefined): string[] {
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  return value
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
}

/**
 * Undoes a response's Content-Encoding (gzip, x-gzip, br, deflate, in reverse order of
 * application) on zlib's thread pool, never producing more than `maxBytes`: a small compressed
 * body cannot inflate into a memory problem.
 */
export async function decodeBody(
  body: Buffer,
  contentEncoding: string | string[] | undefined,
  maxBytes: number,
): Promise<Decoded> {
  let out = body;
  for (const coding of codings(contentEncoding).reverse()) {
    const options = { maxOutputLength: maxBytes };
    try {
      switch (coding) {
        case 'gzip':
        case 'x-gzip':
          out = await gunzipAsync(out, options);
          break;
        case 'br':
          out = await brotliAsync(out, options);
          break;
        case 'deflate':
          // Some servers send raw deflate under this name; zlib-wrapped is the standard.
          out = await inflateAsync(out, options).catch(() => inflateRawAsync(out, options));
          break;
        default:
          return {
            ok: false,
            reason: 'encoding',
            message: `unsupported content-encoding "${coding}"`,
          };
      }
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (
        code === 'ERR_BUFFER_TOO_LARGE' ||
        /maxOutputLength|too large/i.test((err as Error).message)
      ) {
        return { ok: false, reason: 'size', message: `decoded body exceeds ${maxBytes} bytes` };
      }
      return {
        ok: false,
        reason: 'encoding',
        message: `cannot decode ${coding}: ${(err as Error).message}`,
      };
    }
  }
  return { ok: true, body: out };
}
