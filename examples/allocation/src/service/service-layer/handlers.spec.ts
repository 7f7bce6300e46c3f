import { ConsumerSpec } from '@strangler/new-service/testing';
import { describe, expect, it } from 'vitest';
import { allocationCatalog } from '../../catalog/index.js';
import { allocationConsumer } from '../entrypoints/event-consumer.js';
import { FakeAllocationUnitOfWork } from '../testing/fakes.fixture.js';
import { commandHandlers } from './handlers.js';
import { MessageBus, type EventHandlers } from './message-bus.js';

const t = allocationCatalog.types;

/** The allocation consumer over a fake unit of work shared by the whole test, as in the book. */
function spec(eventHandlers: EventHandlers = {}) {
  const uow = new FakeAllocationUnitOfWork();
  const consumer = allocationConsumer({
    topic: 'allocation.events',
    group: 'test',
    bus: new MessageBus(commandHandlers, eventHandlers),
    unitOfWork: () => uow,
  });
  return { uow, spec: ConsumerSpec.for(consumer, { unitOfWork: () => uow }) };
}

const product = (sku: string, version?: number) => ({
  type: t.ProductCreated,
  data: { sku, ...(version === undefined ? {} : { version }) },
});
const batch = (
  sku: string,
  ref: string,
  qty: number,
  eta: string | null = null,
  version?: number,
) => ({
  type: t.BatchCreated,
  data: { sku, ref, qty, eta, ...(version === undefined ? {} : { version }) },
});
const allocated = (sku: string, orderid: string, qty: number, batchref: string) => ({
  type: t.Allocated,
  data: { sku, orderid, qty, batchref },
});

describe('recording the facts of the events', () => {
  it('creates the product with its first batch and commits', async () => {
    await spec()
      .spec.when(batch('RUG', 'b1', 10, '2030-01-01'))
      .then(async (uow, outcome) => {
        expect(outcome).toBe('applied');
        expect(uow.committed).toBe(true);
        const rug = await uow.products.get('RUG');
        expect(rug?.batch('b1')).toMatchObject({ purchasedQuantity: 10, eta: '2030-01-01' });
      });
  });

  it('keeps an allocation on the batch the legacy chose and reports the same one again as unchanged', async () => {
    const { spec: s } = spec();
    const given = s.given(batch('LAMP', 'wh', 10), batch('LAMP', 'ship', 10, '2030-01-01'));
    await given.when(allocated('LAMP', 'o1', 2, 'ship')).then(async (uow) => {
      expect((await uow.products.get('LAMP'))?.batch('ship')?.availableQuantity).toBe(8);
    });
    await spec()
      .spec.given(batch('LAMP', 'wh', 10), allocated('LAMP', 'o1', 2, 'wh'))
      .when(allocated('LAMP', 'o1', 2, 'wh'))
      .thenOutcome('unchanged');
  });

  it('skips a fact older than the product version as stale', async () => {
    await spec()
      .spec.given(product('OLD', 1), batch('OLD', 'b', 1, null, 3))
      .when({ type: t.BatchQuantityChanged, data: { sku: 'OLD', ref: 'b', qty: 4, version: 2 } })
      .thenOutcome('stale');
  });

  it('dead-letters what the model refuses, with the rule as the reason', async () => {
    await spec()
      .spec.when({ type: t.BatchEtaChanged, data: { sku: 'NOWHERE', ref: 'x', eta: null } })
      .thenDeadLetters('unknown_product', 'Invalid sku NOWHERE');
    await spec()
      .spec.given(batch('ONE', 'shared', 1))
      .when(batch('TWO', 'shared', 1))
      .thenDeadLetters('batch_exists', 'Batch shared already exists (for sku ONE)');
    await spec()
      .spec.given(product('GHOST'))
      .when(allocated('GHOST', 'o1', 1, 'ghost-batch'))
      .thenDeadLetters('unknown_batch', 'Unknown batch ghost-batch for sku GHOST');
  });

  it('applies a replayed dead letter whatever its version', async () => {
    const older = {
      type: t.BatchQuantityChanged,
      data: { sku: 'LATE', ref: 'b', qty: 9, version: 2 },
    };
    const given = spec().spec.given(product('LATE', 5), batch('LATE', 'b', 3));
    await given.when(older).thenOutcome('stale');
    await spec()
      .spec.given(product('LATE', 5), batch('LATE', 'b', 3))
      .when(older, { replay: true })
      .then(async (uow) => {
        expect((await uow.products.get('LATE'))?.batch('b')?.purchasedQuantity).toBe(9);
      });
  });

  it('logs a failing domain-event handler and runs the others; the command still applies', async () => {
    const calls: string[] = [];
    const { spec: s } = spec({
      BatchCreated: [
        async () => {
          calls.push('failing');
          throw new Error('handler bug');
        },
        async (event) => {
          calls.push(`recorded ${event.ref}`);
        },
      ],
    });
    await s.when(batch('EVT', 'evt-1', 3, '2030-01-01')).thenOutcome('applied');
    expect(calls).toEqual(['failing', 'recorded evt-1']);
  });
});
