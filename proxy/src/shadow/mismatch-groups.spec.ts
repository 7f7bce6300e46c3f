import { describe, expect, it } from 'vitest';
import type { MismatchRecord } from '../types.js';
import { MismatchGroups } from './mismatch-groups.js';

const record = (at: string, ...pointers: string[]): MismatchRecord => ({
  at,
  route: 'r',
  servedBy: 'legacy',
  request: { method: 'GET', url: '/x', headers: {}, requestId: at, bodyBytes: 0 },
  legacy: { status: 200, ms: 1 },
  candidate: { status: 200, ms: 1 },
  diff: pointers.map((pointer) => ({ pointer, kind: 'value', legacy: 1, candidate: 2 })),
  more: 0,
  text: '',
});

describe('MismatchGroups', () => {
  it('groups by the set of differing fields, indices folded, most frequent first', () => {
    const g = new MismatchGroups();
    g.add(record('t1', '/items/0/price'));
    g.add(record('t2', '/items/3/price', '/items/1/price'));
    g.add(record('t3', '/total', '/items/2/price'));
    g.add(record('t4', '/items/2/price', '/total'));
    g.add(record('t5', '/items/9/price'));
    expect(g.list().map((x) => [x.fields, x.count, x.firstSeen, x.lastSeen, x.example.at])).toEqual(
      [
        [['/items/*/price'], 3, 't1', 't5', 't5'],
        [['/items/*/price', '/total'], 2, 't3', 't4', 't4'],
      ],
    );
  });

  it('counts signatures beyond its cap instead of growing without bound', () => {
    const g = new MismatchGroups();
    for (let i = 0; i < 250; i++) g.add(record(`t${i}`, `/f${i}`));
    expect(g.list(1000)).toHaveLength(200);
    expect(g.ungrouped).toBe(50);
  });
});
