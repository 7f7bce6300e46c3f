import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
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

const V2 = 'com.example.bank.account_opened.v2';
const DEPOSITED = 'com.example.bank.money_deposited.v1';
const messages = async (catalog: AnyCatalog, mode?: 'FORWARD' | 'FULL') =>
  (await checkCatalog(catalog, { snapshotsDir: dir, ...(mode ? { mode } : {}) })).problems.map(
    (p) => p.message,
  );

/** MoneyDeposited v1 as edited after its release. */
const depositedWith = (schema: z.ZodObject, example: object) =>
  defineEvent({
    type: DEPOSITED,
    name: 'MoneyDeposited',
    aggregate: 'Account',
    description: 'Money was paid into an account.',
    schema,
    aggregateId: (data: Record<string, unknown>) => String(data.accountId),
    example: example as never,
  });

describe('checkCatalog', () => {
  it('passes a catalog with a v1 -> v2 upcaster against its own snapshots, replaying every fixture', async () => {
    const report = await checkCatalog(bankCatalog, { snapshotsDir: dir, mode: 'FULL' });
    expect(report).toEqual({
      mode: 'FULL',
      problems: [],
      notes: [],
      events: 2,
      versions: 3,
      fixtures: 3,
    });
  });

  it('fails an edited released version, naming event, field, rule and fix, and its fixture', async () => {
    const edited = depositedWith(moneyDepositedV1.schema.extend({ currency: z.string() }), {
      ...moneyDepositedV1.example,
      currency: 'EUR',
    });
    const catalog = defineCatalog([accountOpenedV1, accountOpenedV2, edited]);
    const found = await messages(catalog);
    expect(found[0]).toBe(
      'MoneyDeposited v1 (com.example.bank.money_deposited.v1): data.currency: BACKWARD: added as required; events written before cannot be read. Make it optional, or publish v2 with previous + upcast.',
    );
    expect(found[1]).toMatch(
      /^MoneyDeposited v1 \(com\.example\.bank\.money_deposited\.v1\): .*money_deposited\.v1\/fixtures\/example\.json: data\.currency: REPLAY: Invalid input: expected string, received undefined\. A released MoneyDeposited v1 event must stay readable/,
    );
    expect(found).toHaveLength(2);
  });

  it('tells the modes apart: a writer dropping a required field breaks FORWARD only', async () => {
    const { memo: _memo, ...example } = moneyDepositedV1.example;
    const edited = depositedWith(moneyDepositedV1.schema.omit({ memo: true }), example);
    const catalog = defineCatalog([accountOpenedV1, accountOpenedV2, edited]);
    expect(await messages(catalog)).toEqual([]);
    const forward = await messages(catalog, 'FORWARD');
    expect(forward).toEqual([
      'MoneyDeposited v1 (com.example.bank.money_deposited.v1): data.memo: FORWARD: no longer written, but the released schema requires it; consumers still on the released schema cannot read new events. Undo the change, or publish v2 with previous + upcast.',
    ]);
    expect(await messages(catalog, 'FULL')).toEqual(forward);
  });

  it('fails a released version removed from the catalog', async () => {
    const found = await messages(defineCatalog([accountOpenedV1, accountOpenedV2]));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(
      /^MoneyDeposited v1 \(com\.example\.bank\.money_deposited\.v1\): removed from the catalog, but it was released .*; versions are never removed/,
    );
  });

  it('fails a version without a snapshot, unless unreleased versions are allowed', async () => {
    const withdrawn = defineEvent({
      type: 'com.example.bank.money_withdrawn.v1',
      name: 'MoneyWithdrawn',
      aggregate: 'Account',
      description: 'Money was taken out of an account.',
      schema: z.object({ accountId: z.string(), cents: z.int() }),
      aggregateId: 'accountId',
      example: { accountId: 'acc-1', cents: 5 },
    });
    const catalog = defineCatalog([...bankCatalog.definitions, withdrawn]);
    const unreleased =
      'MoneyWithdrawn v1 (com.example.bank.money_withdrawn.v1): not released yet: run strangler-schemas snapshot to record it';
    expect(await messages(catalog)).toEqual([unreleased]);
    const relaxed = await checkCatalog(catalog, { snapshotsDir: dir, allowUnreleased: true });
    expect(relaxed).toMatchObject({ problems: [], notes: [unreleased] });
  });

  it('fails a changed aggregate, which would re-key the events', async () => {
    const rekeyed = defineEvent({
      ...moneyDepositedV1,
      aggregate: 'Customer',
      aggregateId: moneyDepositedV1.aggregateId,
      example: moneyDepositedV1.example,
      schema: moneyDepositedV1.schema,
    } as never);
    const found = await messages(defineCatalog([accountOpenedV1, accountOpenedV2, rekeyed]));
    expect(found).toEqual([
      "MoneyDeposited v1 (com.example.bank.money_deposited.v1): aggregate changed from Account to Customer; its events are keyed and ordered by the released aggregate's id. Undo the change, or define a new event.",
    ]);
  });

  it('refuses a damaged snapshot file, naming it', async () => {
    await writeFile(join(dir, V2, 'schema.json'), '{"name": "AccountOpened"}');
    await expect(checkCatalog(bankCatalog, { snapshotsDir: dir })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(
        /account_opened\.v2\/schema\.json is damaged \(version: .*\); restore it/,
      ),
    });
  });
});
