import type { AnyCatalog } from '../../types.js';
import { checkCatalog } from '../check.js';
import { shown } from '../snapshot-store.js';
import type { CompatibilityMode } from '../types.js';
import type { Output } from './output.js';

/** `check`: prints each problem on its own line and a summary; 0 when none, 1 otherwise. */
export async function runCheck(
  catalog: AnyCatalog,
  options: { snapshotsDir: string; mode: CompatibilityMode; allowUnreleased: boolean },
  output: Output,
): Promise<number> {
  const report = await checkCatalog(catalog, options);
  for (const note of report.notes) output.out(`note: ${note}`);
  for (const problem of report.problems) output.out(problem.message);
  const counted = `${report.events} events, ${report.versions} released versions, ${report.fixtures} fixtures`;
  const where = `${shown(options.snapshotsDir)} (${report.mode})`;
  if (report.problems.length === 0) {
    output.out(`strangler-schemas check: passed: ${counted} checked against ${where}`);
    return 0;
  }
  const count = report.problems.length;
  output.out(
    `strangler-schemas check: FAILED: ${count} problem${count === 1 ? '' : 's'} in ${counted} checked against ${where}`,
  );
  return 1;
}
