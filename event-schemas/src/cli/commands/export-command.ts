import { join } from 'node:path';
import type { AnyCatalog } from '../../types.js';
import { exportCatalog } from '../export/export-catalog.js';
import { staleFiles, writeExportFiles } from '../export/files.js';
import { shown } from '../snapshot-store.js';
import type { Output } from './output.js';

/** `export`: writes the files, or with `check` compares them and exits 1 when any is stale. */
export async function runExport(
  catalog: AnyCatalog,
  options: { out: string; topics: string[]; version: string; check: boolean; rerun: string },
  output: Output,
): Promise<number> {
  const { files, warnings } = await exportCatalog(catalog, {
    topics: options.topics,
    version: options.version,
  });
  for (const warning of warnings) output.out(`AsyncAPI warning: ${warning}`);
  const where = shown(options.out);
  if (options.check) {
    const stale = await staleFiles(options.out, files);
    for (const file of stale) {
      const why = file.reason === 'extra' ? 'no longer generated' : file.reason;
      output.out(`stale: ${shown(join(options.out, file.path))} (${why})`);
    }
    if (stale.length === 0) {
      output.out(
        `strangler-schemas export --check: ${files.size} files in ${where} are up to date`,
      );
      return 0;
    }
    output.out(
      `strangler-schemas export --check: ${stale.length} file(s) out of date; regenerate with: ${options.rerun}`,
    );
    return 1;
  }
  const changed = await writeExportFiles(options.out, files);
  output.out(
    `strangler-schemas export: ${files.size} files in ${where}, ${changed.length} changed`,
  );
  return 0;
}
