import type { MismatchGroup, MismatchRecord } from '../types.js';
import { patternOf } from './compare/pointer.js';

/** Distinct signatures kept per route; later new ones are counted as `ungrouped`. */
const MAX_GROUPS = 200;

/**
 * Mismatches grouped by their diff signature: the set of field paths that differ (array indices
 * folded). 950 mismatches that all differ in the price of some item are one line with a count, the
 * first and last time seen, and the latest example.
 */
export class MismatchGroups {
  private readonly groups = new Map<string, MismatchGroup>();
  /** Mismatches whose signature came after the cap. */
  ungrouped = 0;

  add(record: MismatchRecord): void {
    const fields = [...new Set(record.diff.map((d) => patternOf(d.pointer)))].sort();
    if (record.more > 0 && fields.length === 0) fields.push('(more differences than kept)');
    const key = fields.join('\n');
    const group = this.groups.get(key);
    if (group) {
      group.count++;
      group.lastSeen = record.at;
      group.example = record;
    } else if (this.groups.size < MAX_GROUPS) {
      this.groups.set(key, {
        fields,
        count: 1,
        firstSeen: record.at,
        lastSeen: record.at,
        example: record,
      });
    } else {
      this.ungrouped++;
    }
  }

  /** Groups, most frequent first. */
  list(limit = 50): MismatchGroup[] {
    return [...this.groups.values()].sort((a, b) => b.count - a.count).slice(0, limit);
  }
}
