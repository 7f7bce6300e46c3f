import { join } from 'node:path';
import type { AnyCatalog } from '../../types.js';
import { snapshotCatalog } from '../snapshot.js';
import { shown } from '../snapshot-store.js';
import type { Output } from './output.js';

/** `snapshot`: records the unreleased versions and says which were kept as they were. */
export async function runSnapshot(
  catalog: AnyCatalog,
  snapshotsDir: string,
  output: Output,
): Promise<number> {
  const report = await snapshotCatalog(catalog, { snapshotsDir });
  for (const type of report.written) {
    output.out(`recorded ${type} as released: ${shown(join(snapshotsDir, type))}`);
  }
  const kept = `${report.kept.length} released version${report.kept.length === 1 ? '' : 's'} kept as they were`;
  output.out(
    report.written.length === 0
      ? `strangler-schemas snapshot: nothing to record (${kept}) in ${shown(snapshotsDir)}`
      : `strangler-schemas snapshot: recorded ${report.written.length} version(s), ${kept}; commit ${shown(snapshotsDir)}`,
  );
  return 0;
}
