import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineCatalog } from '../catalog.js';
import { defineEvent } from '../define.js';
import type { AnyCatalog } from '../types.js';
import {
  accountOpenedV1,
  accountOpenedV2,
  bankCatalog,
  moneyDepositedV1,
} from '../testing/bank-catalog.js';
import { checkCatalog } from './check.js';
import { snapshotCatalog } from './snapshot.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'strangler-check-'));
  await snapshotCatalog(bankCatalog, { snapshotsDir: dir });
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const V1 = 'com.example.bank.account_opened.v1';
const V2 = 'com.example.bank.account_opened.v2';
const messages = async (catalog: AnyCatalog) =>
  (await checkCatalog(catalog, { snapshotsDir: dir })).problems.map((p) => p.message);

// Fixtures replay through decode and upcast (parseKafkaMessage) to a valid current event.
describe('checkCatalog: golden fixtures', () => {
  it('fails a broken upcaster through the replay of the old version fixture', async () => {
    const broken = defineEvent({
      type: V2,
      name: 'AccountOpened',
      aggregate: 'Account',
      description: 'An account was opened, in a currency.',
      schema: accountOpenedV2.schema,
      aggregateId: (data) => data.accountId,
      example: accountOpenedV2.example,
      previous: accountOpenedV1,
      upcast: (v1) => ({ ...v1 }) as never,
    });
    const found = await messages(defineCatalog([accountOpenedV1, broken, moneyDepositedV1]));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(
      /^AccountOpened v1 \(com\.example\.bank\.account_opened\.v1\): .*account_opened\.v1\/fixtures\/example\.json: data\.currency: REPLAY: Invalid input: expected string, received undefined \(after upcasting from v1 to v2\)\. Events of v1 must upcast to v2: fix the upcast chain/,
    );
  });

  it('replays fixtures added by hand, with the value as JSON text or as an object', async () => {
    const fixtures = join(dir, V1, 'fixtures');
    const example = JSON.parse(await readFile(join(fixtures, 'example.json'), 'utf8'));
    const value = { accountId: 'acc-9', owner: 'Grace', nickname: 'dropped by readers' };
    const headers = { ...example.headers, ce_partitionkey: 'acc-9', ce_subject: 'acc-9' };
    await writeFile(
      join(fixtures, 'old-producer.json'),
      JSON.stringify({ key: 'acc-9', value, headers }),
    );
    const report = await checkCatalog(bankCatalog, { snapshotsDir: dir });
    expect(report).toMatchObject({ problems: [], fixtures: 4 });
  });

  it('fails a fixture that is not a Kafka message, or filed under another version', async () => {
    await writeFile(join(dir, V1, 'fixtures', 'broken.json'), '{"key": 1}');
    const v2Example = await readFile(join(dir, V2, 'fixtures', 'example.json'), 'utf8');
    await writeFile(join(dir, V1, 'fixtures', 'misfiled.json'), v2Example);
    const found = await messages(bankCatalog);
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/broken\.json: not a fixture \{ key, value, headers \} \(key: /);
    expect(found[1]).toMatch(
      /misfiled\.json: REPLAY: the fixture is a com\.example\.bank\.account_opened\.v2 event; move it to the fixtures of com\.example\.bank\.account_opened\.v2$/,
    );
  });
});
