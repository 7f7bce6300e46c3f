import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// For the specs of the built bin: a temporary project whose `node_modules` links make
// `@strangler/event-schemas` (its dist/) and zod importable, and a way to run the bin in it as a
// user does.
const packageDir = fileURLToPath(new URL('../../..', import.meta.url));
const bin = join(packageDir, 'bin', 'strangler-schemas.js');
const zodDir = dirname(createRequire(import.meta.url).resolve('zod/package.json'));

/** A temporary project holding `files` (path -> content); `remove()` deletes it. */
export async function tempProject(
  files: Record<string, string>,
): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'strangler-cli-'));
  await mkdir(join(dir, 'node_modules', '@strangler'), { recursive: true });
  await symlink(packageDir, join(dir, 'node_modules', '@strangler', 'event-schemas'), 'dir');
  await symlink(zodDir, join(dir, 'node_modules', 'zod'), 'dir');
  for (const [name, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Runs `node bin/strangler-schemas.js ...args` in `cwd`. */
export function runBin(
  cwd: string,
  ...args: string[]
): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd }, (error, out, err) => {
      resolve({ code: error ? Number(error.code) : 0, out, err });
    });
  });
}

/** An order event; `extra` adds fields to its schema (a later edit of the released version). */
const event = (extra = '', exampleExtra = '') => `defineEvent({
  type: 'com.example.shop.order_placed.v1', name: 'OrderPlaced', aggregate: 'Order',
  description: 'An order was placed.',
  schema: z.object({ orderId: z.string(), total: z.int().min(0)${extra} }),
  aggregateId: 'orderId', example: { orderId: 'o-1', total: 5${exampleExtra} },
})`;

/** A catalog module in ESM syntax. */
export const esmCatalog = (extra = '', exampleExtra = '') => `import { z } from 'zod';
import { defineCatalog, defineEvent } from '@strangler/event-schemas';
export default defineCatalog([${event(extra, exampleExtra)}], { name: 'shop' });
`;

/** A catalog module in CommonJS syntax, exported by `exportLine` (the catalog is `catalog`). */
export const cjsCatalog = (exportLine: string) => `const { z } = require('zod');
const { defineCatalog, defineEvent } = require('@strangler/event-schemas');
const catalog = defineCatalog([${event()}], { name: 'shop' });
${exportLine}
`;
