import { Parser, DiagnosticSeverity } from '@asyncapi/parser';
import { describe, expect, it } from 'vitest';
import { bankCatalog } from '../../testing/bank-catalog.js';
import { exportCatalog } from './export-catalog.js';

const V1 = 'com.example.bank.account_opened.v1';
const V2 = 'com.example.bank.account_opened.v2';
const DEPOSITED = 'com.example.bank.money_deposited.v1';
const generate = () => exportCatalog(bankCatalog, { topics: ['bank.events'], version: '1.2.3' });

describe('exportCatalog', () => {
  it('generates one JSON Schema per version, the AsyncAPI document and the markdown catalog', async () => {
    const { files } = await generate();
    expect([...files.keys()]).toEqual([
      'asyncapi.json',
      'catalog.md',
      `json-schema/${V1}.json`,
      `json-schema/${V2}.json`,
      `json-schema/${DEPOSITED}.json`,
    ]);
    expect(JSON.parse(files.get(`json-schema/${V1}.json`) ?? '')).toMatchObject({
      $schema: 'http://json-schema.org/draft-07/schema#',
      title: 'AccountOpened v1',
      description: 'An account was opened.',
      required: ['accountId', 'owner'],
    });
  });

  it('writes an AsyncAPI 3.0 document the reference parser reads without errors', async () => {
    const { files } = await generate();
    const { document, diagnostics } = await new Parser().parse(files.get('asyncapi.json') ?? '');
    expect(diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error)).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
    expect(document?.info().version()).toBe('1.2.3');
    expect(
      document
        ?.channels()
        .all()
        .map((c) => c.address()),
    ).toEqual(['bank.events']);
    const messages = document?.components().messages().all() ?? [];
    expect(messages.map((m) => m.id())).toEqual(['AccountOpened', 'MoneyDeposited']);
    const opened = messages[0];
    expect(opened?.payload()?.required()).toEqual(['accountId', 'owner', 'currency']);
    expect(opened?.headers()?.properties()?.ce_type?.const()).toBe(V2);
    expect(opened?.bindings().get('kafka')?.value()).toMatchObject({
      key: { type: 'string', description: 'The Account id.' },
    });
  });

  it('describes each event in markdown: versions newest first, fields and examples', async () => {
    const markdown = (await generate()).files.get('catalog.md') ?? '';
    expect(markdown).toMatch(/^# bank events\n\nEvents of the example bank\.\n/);
    expect(markdown).toContain('| [AccountOpened](#accountopened) | v2 | `' + V2 + '` | Account |');
    const v2 = markdown.indexOf('### AccountOpened v2 (current)');
    const v1 = markdown.indexOf('### AccountOpened v1\n');
    expect(v2).toBeGreaterThan(0);
    expect(v1).toBeGreaterThan(v2);
    expect(markdown).toContain('| `currency` | string, pattern `^[A-Z]{3}$` | yes |  |');
    expect(markdown).toContain('| `memo` | string or null | yes |  |');
    expect(markdown).toContain(
      'Kafka key, `subject` and `partitionkey`: the Account id (field `accountId`).',
    );
    expect(markdown.endsWith('```\n')).toBe(true);
  });

  it('gives the same bytes on every run, and a default topic named after the catalog', async () => {
    const first = await generate();
    const second = await generate();
    expect([...second.files]).toEqual([...first.files]);
    const defaults = await exportCatalog(bankCatalog);
    const asyncapi = JSON.parse(defaults.files.get('asyncapi.json') ?? '');
    expect(Object.keys(asyncapi.channels)).toEqual(['bank.events']);
    expect(asyncapi.info.version).toBe('0.0.0');
  });
});
