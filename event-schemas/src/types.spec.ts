import { describe, expect, expectTypeOf, it } from 'vitest';
import { eventCatalog, eventTypes } from './catalog.js';
import { createEvent } from './create.js';
import { parseEvent } from './parse.js';
import type {
  Allocated,
  AllocatedV1Data,
  BatchCreatedV1Data,
  DomainEvent,
  DomainEventType,
  EventData,
  EventOfType,
} from './types.js';

/** A consumer's projection: the compiler proves every event type is handled. */
function describeEvent(event: DomainEvent): string {
  switch (event.type) {
    case eventTypes.ProductCreated:
      return `product ${event.data.sku}`;
    case eventTypes.BatchCreated:
      return `batch ${event.data.ref} of ${event.data.qty} due ${event.data.eta ?? 'now'}`;
    case eventTypes.BatchQuantityChanged:
      return `batch ${event.data.ref} now ${event.data.qty}`;
    case eventTypes.BatchEtaChanged:
      return `batch ${event.data.ref} due ${event.data.eta ?? 'now'}`;
    case eventTypes.Allocated:
      return `${event.data.orderid} -> ${event.data.batchref}`;
    case eventTypes.Deallocated:
      return `${event.data.orderid} <- ${event.data.batchref}`;
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}

const attributes = { id: 'e-1', source: '/s', time: '2024-05-01T12:00:00Z' };

describe('DomainEvent', () => {
  it('narrows data by type in a switch, with an exhaustive default', () => {
    const event = createEvent(
      eventTypes.Allocated,
      { orderid: 'o-1', sku: 'S', qty: 1, batchref: 'b-1' },
      attributes,
    );
    expect(describeEvent(event)).toBe('o-1 -> b-1');
  });

  it('narrows with an if on type', () => {
    const result = parseEvent(
      createEvent(eventTypes.BatchCreated, { ref: 'b', sku: 'S', qty: 2, eta: null }, attributes),
    );
    if (!result.ok) throw result.error;
    const event = result.event;
    expectTypeOf(event).toEqualTypeOf<DomainEvent>();
    if (event.type === 'io.strangler.allocation.batch_created.v1') {
      expectTypeOf(event.data).toEqualTypeOf<BatchCreatedV1Data>();
      expectTypeOf(event.data.eta).toEqualTypeOf<string | null>();
    }
    expect(describeEvent(event)).toBe('batch b of 2 due now');
  });

  it('types createEvent from its type argument, data included', () => {
    const event = createEvent(
      eventTypes.Allocated,
      { orderid: 'o', sku: 'S', qty: 1, batchref: 'b' },
      attributes,
    );
    expectTypeOf(event).toEqualTypeOf<Allocated>();
    expectTypeOf(event.type).toEqualTypeOf<'io.strangler.allocation.allocated.v1'>();
    expectTypeOf<
      EventData<'io.strangler.allocation.allocated.v1'>
    >().toEqualTypeOf<AllocatedV1Data>();
    expectTypeOf<EventOfType<'io.strangler.allocation.allocated.v1'>>().toEqualTypeOf<Allocated>();
    const missingEta = { ref: 'b', sku: 'S', qty: 1 };
    // @ts-expect-error: BatchCreated needs eta
    const build = () => createEvent(eventTypes.BatchCreated, missingEta, attributes);
    expect(build).toThrow('data.eta: is required');
    expect(event.type).toBe('io.strangler.allocation.allocated.v1');
  });

  it('has one type per catalog entry, and the eventTypes constants are literal types', () => {
    expectTypeOf(
      eventTypes.BatchEtaChanged,
    ).toEqualTypeOf<'io.strangler.allocation.batch_eta_changed.v1'>();
    expectTypeOf<keyof typeof eventCatalog>().toEqualTypeOf<DomainEventType>();
    expect(Object.keys(eventCatalog).sort()).toEqual(Object.values(eventTypes).sort());
  });
});
