import type { DiffEntry } from '../../types.js';

/** Above this many cells the middle block is reported whole instead of aligned line by line. */
const MAX_CELLS = 2_000_000;

export interface TextDiffResult {
  entries: DiffEntry[];
  more: number;
}

/** Splits text into lines, without the line ends (`\r\n` and `\n` compare equal). */
export function lines(text: string): string[] {
  const out = text.split(/\r?\n/);
  if (out.length > 1 && out[out.length - 1] === '') out.pop();
  return out;
}

/**
 * Line difference of two texts: lines only in legacy are `missing`, lines only in the candidate
 * `extra`, located as `line:<n>` (1-based, in the legacy text for missing lines and in the
 * candidate's for extra ones). The common start and end are skipped first; the middle is aligned
 * with a longest-common-subsequence table when it is small enough, and reported whole otherwise.
 */
export function diffLines(legacy: string, candidate: string, maxEntries: number): TextDiffResult {
  const a = lines(legacy);
  const b = lines(candidate);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const out: TextDiffResult = { entries: [], more: 0 };
  const add = (e: DiffEntry) => {
    if (out.entries.length < maxEntries) out.entries.push(e);
    else out.more++;
  };
  const n = endA - start;
  const m = endB - start;
  if (n * m > MAX_CELLS) {
    for (let i = start; i < endA; i++)
      add({ pointer: `line:${i + 1}`, kind: 'missing', legacy: a[i] });
    for (let j = start; j < endB; j++)
      add({ pointer: `line:${j + 1}`, kind: 'extra', candidate: b[j] });
    return out;
  }
  // lcs[i][j]: length of the common subsequence of a[start+i..endA) and b[start+j..endB).
  const width = m + 1;
  const lcs = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * width + j] =
        a[start + i] === b[start + j]
          ? (lcs[(i + 1) * width + j + 1] as number) + 1
          : Math.max(lcs[(i + 1) * width + j] as number, lcs[i * width + j + 1] as number);
    }
  }
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[start + i] === b[start + j]) {
      i++;
      j++;
    } else if (
      j >= m ||
      (i < n && (lcs[(i + 1) * width + j] as number) >= (lcs[i * width + j + 1] as number))
    ) {
      add({ pointer: `line:${start + i + 1}`, kind: 'missing', legacy: a[start + i] });
      i++;
    } else {
      add({ pointer: `line:${start + j + 1}`, kind: 'extra', candidate: b[start + j] });
      j++;
    }
  }
  return out;
}
