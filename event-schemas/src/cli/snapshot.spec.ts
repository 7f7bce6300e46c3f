import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineCatalog } from '../catalog.js';
import { defineEvent } from '../define.js';
import {
  accountOpenedV1,
  accountOpenedV2,
  bankCatalog,
  moneyDepositedV1,
} from '../testing/bank-catalog.js';
import { readerSchemaOf, writerSchemaOf } from './json-schemas.js';
import { snapshotCatalog } from './snapshot.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strangler-snapshot-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const V1 = 'com.example.bank.account_opened.v1';
const json = async (...path: string[]) => JSON.parse(await readFile(join(dir, ...path), 'utf8'));

describe('snapshotCatalog', () => {
  it('records each version: name, version, aggregate, reader and writer schemas', async () => {
    const report = await snapshotCatalog(bankCatalog, { snapshotsDir: dir });
    expect(report.written).toEqual(bankCatalog.definitions.map((d) => d.type));
    expect((await readdir(dir)).sort()).toEqual(bankCatalog.definitions.map((d) => d.type).sort());
    expect(await json(V1, 'schema.json')).toEqual({
      $comment: expect.stringContaining('never edit'),
      name: 'AccountOpened',
      version: 1,
      type: V1,
      aggregate: 'Account',
      reader: readerSchemaOf(accountOpenedV1),
      writer: writerSchemaOf(accountOpenedV1),
    });
  });

  it('stores the example of an old version as the Kafka message its producers wrote', async () => {
    await snapshotCatalog(bankCatalog, { snapshotsDir: dir });
    const fixture = await json(V1, 'fixtures', 'example.json');
    expect(fixture).toMatchObject({
      key: 'acc-1',
      value: JSON.stringify(accountOpenedV1.example),
      headers: {
        ce_type: V1,
        ce_specversion: '1.0',
        ce_partitionkey: 'acc-1',
        'content-type': 'application/json',
      },
    });
    const read = bankCatalog.parseKafkaMessage(fixture);
    expect(read).toMatchObject({ ok: true, upcastFrom: V1, event: { data: { currency: 'EUR' } } });
  });

  it('never touches a released version, and records only the new ones', async () => {
    const first = defineCatalog([accountOpenedV1, moneyDepositedV1]);
    await snapshotCatalog(first, { snapshotsDir: dir });
    const file = join(dir, V1, 'schema.json');
    await writeFile(file, (await readFile(file, 'utf8')).replace('"Account"', '"Edited"'));
    const report = await snapshotCatalog(bankCatalog, { snapshotsDir: dir });
    expect(report).toEqual({
      written: [accountOpenedV2.type],
      kept: [accountOpenedV1.type, moneyDepositedV1.type],
    });
    expect(await readFile(file, 'utf8')).toContain('"Edited"');
  });

  it('writes the same bytes for the same catalog', async () => {
    const other = await mkdtemp(join(tmpdir(), 'strangler-snapshot-'));
    try {
      await snapshotCatalog(bankCatalog, { snapshotsDir: dir });
      await snapshotCatalog(bankCatalog, { snapshotsDir: other });
      for (const path of [
        [V1, 'schema.json'],
        [V1, 'fixtures', 'example.json'],
      ]) {
        const mine = await readFile(join(dir, ...path), 'utf8');
        expect(mine.endsWith('}\n')).toBe(true);
        expect(await readFile(join(other, ...path), 'utf8')).toBe(mine);
      }
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('writes nothing when a schema cannot be written as JSON Schema', async () => {
    const dated = defineEvent({
      type: 'com.example.bank.statement_sent.v1',
      name: 'StatementSent',
      aggregate: 'Account',
      description: 'A statement was sent.',
      schema: z.object({ accountId: z.string(), at: z.date() }),
      aggregateId: 'accountId',
      example: { accountId: 'acc-1', at: new Date(0) },
    });
    const catalog = defineCatalog([...bankCatalog.definitions, dated]);
    await expect(snapshotCatalog(catalog, { snapshotsDir: dir })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining(
        'com.example.bank.statement_sent.v1: its schema cannot be written as JSON Schema',
      ),
    });
    expect(await readdir(dir)).toEqual([]);
  });
});
