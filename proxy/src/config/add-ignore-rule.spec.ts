import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { addIgnoreRuleInText } from './add-ignore-rule.js';

const RULE = { rule: '/items/*/updatedAt', owner: 'team-orders', reason: 'clock skew' };
const head = `# routes
upstreams: { legacy: http://127.0.0.1:1 }
routes:
  - id: other
    match: { path: /other }
  - id: orders   # the read path
    match: { path: /orders/:id }
`;

const ignoreOf = (text: string, id = 'orders') =>
  (
    parseDocument(text).toJS() as { routes: { id: string; shadow?: { ignore?: unknown[] } }[] }
  ).routes.find((r) => r.id === id)?.shadow?.ignore;

describe('addIgnoreRuleInText', () => {
  it('adds a shadow block with the rule to a route that has none, touching nothing else', () => {
    const out = addIgnoreRuleInText(head, 'orders', RULE);
    expect(out).toBe(
      head.replace(
        '  - id: orders   # the read path\n',
        '  - id: orders   # the read path\n    shadow: { ignore: [{ rule: "/items/*/updatedAt", owner: "team-orders", reason: "clock skew" }] }\n',
      ),
    );
  });

  it('appends to a block ignore list after its last item, keeping comments', () => {
    const text = `${head}    shadow:
      sample: 1
      ignore:
        - /generatedAt   # server time
        - rule: header:etag
          owner: web
          reason: weak etags
    mode: shadow
`;
    const out = addIgnoreRuleInText(text, 'orders', { ...RULE, expires: '2027-01-31' });
    expect(out).toContain(
      '          reason: weak etags\n        - { rule: "/items/*/updatedAt", owner: "team-orders", reason: "clock skew", expires: "2027-01-31" }\n    mode: shadow\n',
    );
    expect(out).toContain('- /generatedAt   # server time');
    expect(ignoreOf(out)).toHaveLength(3);
  });

  it('appends to a flow list, and adds ignore to a flow or block shadow map', () => {
    const flowList = `${head}    shadow: { ignore: [/a, /b] }\n`;
    expect(addIgnoreRuleInText(flowList, 'orders', RULE)).toContain(
      'shadow: { ignore: [/a, /b, { rule: "/items/*/updatedAt"',
    );
    const flowMap = `${head}    shadow: { sample: 0.5 }\n`;
    expect(ignoreOf(addIgnoreRuleInText(flowMap, 'orders', RULE))).toEqual([RULE]);
    expect(addIgnoreRuleInText(flowMap, 'orders', RULE)).toContain(
      'shadow: { sample: 0.5, ignore: [',
    );
    const blockMap = `${head}    shadow:\n      sample: 0.5 # half\n`;
    const out = addIgnoreRuleInText(blockMap, 'orders', RULE);
    expect(out).toContain('    shadow:\n      ignore: [{ rule: "/items/*/updatedAt"');
    expect(out).toContain('      sample: 0.5 # half\n');
    expect(ignoreOf(out)).toEqual([RULE]);
  });

  it('falls back to re-serialising an unusual layout, and the data still only gains the rule', () => {
    const empty = `${head}    shadow:\n`;
    const out = addIgnoreRuleInText(empty, 'orders', RULE);
    expect(ignoreOf(out)).toEqual([RULE]);
    expect(out).toContain('# routes');
  });

  it('names the route when it is not in the file', () => {
    expect(() => addIgnoreRuleInText(head, 'nope', RULE)).toThrow(/no route "nope"/);
  });
});
