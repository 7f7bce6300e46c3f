import { AssertionError } from 'node:assert';
import { randomUUID } from 'node:crypto';
import type {
  AnyCatalog,
  CatalogDraft,
  CatalogEvent,
  ExtensionValue,
} from '@strangler/event-schemas';
import { pino, type Logger } from 'pino';
import { deadLetterReason } from '../consumer/classify.js';
import { checkResult } from '../consumer/work.js';
import type { ConsumerDefinition, EventContext, EventIdentity } from '../types.js';
import { FakeUnitOfWork } from './fake-unit-of-work.js';
import { describe, SpecResult, type Run } from './spec-result.js';

const RECEIVED = Symbol('strangler.consumer-spec.received');
const silent = pino({ level: 'silent' });

/** An event as a spec takes it: a draft `{ type, data }` (optionally with `id`, `source`), or a full event. */
export type SpecEvent<C extends AnyCatalog> =
  (CatalogDraft<C> & { id?: string; source?: string }) | CatalogEvent<C> | ReceivedEvent;

/** An event in any version of the catalog, parsed and upcast as the kit does (see `asReceived`). */
export interface ReceivedEvent {
  readonly [RECEIVED]: true;
  readonly type: string;
  readonly data: unknown;
  readonly id?: string;
  readonly source?: string;
}

/** Options of {@link ConsumerSpec.for}. */
export interface ConsumerSpecOptions<U> {
  /** The unit of work each event is handled with, usually the same fake every time. */
  unitOfWork: () => U;
  /** `source` of the events built from drafts. Default `/test`. */
  source?: string;
  /** What handlers get as `context.log`. Default: a silent pino logger. */
  logger?: Logger;
}

/**
 * given/when/then for a consumer, on a fake unit of work and no infrastructure (after emmett's
 * DeciderSpecification): the given events are applied in order, then the event under test, with
 * the kit's rules (duplicate ids skipped, the consumer's dead-letter classification, `beforeCommit`
 * after a handler that did not throw).
 *
 * ```ts
 * const spec = ConsumerSpec.for(consumer, { unitOfWork: () => uow });
 * await spec.given({ type: t.Opened, data }).when({ type: t.Deposited, data }).then((uow) => ...);
 * await spec.when({ type: t.Deposited, data }).thenDeadLetters('unknown_account');
 * ```
 */
export class ConsumerSpec<C extends AnyCatalog, U, F extends U = U> {
  readonly #consumer: ConsumerDefinition<C, U>;
  readonly #options: ConsumerSpecOptions<F>;
  readonly #given: readonly SpecEvent<C>[];

  private constructor(
    consumer: ConsumerDefinition<C, U>,
    options: ConsumerSpecOptions<F>,
    given: readonly SpecEvent<C>[],
  ) {
    this.#consumer = consumer;
    this.#options = options;
    this.#given = given;
  }

  /** A spec of `consumer` whose events are handled with `options.unitOfWork()` (a fake of its port). */
  static for<C extends AnyCatalog, U, F extends U>(
    consumer: ConsumerDefinition<C, U>,
    options: ConsumerSpecOptions<F>,
  ): ConsumerSpec<C, U, F> {
    return new ConsumerSpec<C, U, F>(consumer, options, []);
  }

  /**
   * An event as it would arrive on the topic, in any version the catalog knows (an old one is
   * upcast, so the handler gets the current shape and `context.upcastFrom`).
   */
  static asReceived(
    type: string,
    data: unknown,
    attributes: { id?: string; source?: string } = {},
  ): ReceivedEvent {
    return { [RECEIVED]: true, type, data, ...attributes };
  }

  /** Events already applied before the one under test (each must be applied, not dead-lettered). */
  given(...events: SpecEvent<C>[]): ConsumerSpec<C, U, F> {
    return new ConsumerSpec<C, U, F>(this.#consumer, this.#options, [...this.#given, ...events]);
  }

  /** The event under test; `{ replay: true }` hands it over as a replayed dead letter. */
  when(event: SpecEvent<C>, options: { replay?: boolean } = {}): SpecResult<F> {
    return new SpecResult(() => this.#run(event, options.replay ?? false));
  }

  async #run(event: SpecEvent<C>, replay: boolean): Promise<Run<F>> {
    const seen = new Set<string>();
    let offset = 0;
    for (const [i, given] of this.#given.entries()) {
      const run = await this.#apply(given, seen, offset++, false);
      if (run.error !== undefined || run.outcome === 'dead_lettered') {
        throw new AssertionError({
          message: `given event #${i + 1} (${given.type}) was not applied: ${describe(run)}`,
        });
      }
    }
    const uow = this.#options.unitOfWork();
    if (uow instanceof FakeUnitOfWork) uow.committed = false;
    return this.#apply(event, seen, offset, replay);
  }

  async #apply(
    input: SpecEvent<C>,
    seen: Set<string>,
    offset: number,
    replay: boolean,
  ): Promise<Run<F>> {
    const consumer = this.#consumer;
    const uow = this.#options.unitOfWork();
    const { event, identity, extensions, upcastFrom } = this.#build(input);
    const key = `${identity.source}\u0000${identity.id}`;
    if (seen.has(key)) return { uow, outcome: 'duplicate' };
    seen.add(key);
    const context: EventContext = {
      consumer: consumer.name,
      position: { topic: consumer.topic, partition: 0, offset: String(offset) },
      event: identity,
      extensions,
      replay,
      ...(upcastFrom === undefined ? {} : { upcastFrom }),
      log: this.#options.logger ?? silent,
    };
    try {
      const outcome = checkResult(consumer.name, await consumer.handle(event, uow, context));
      await consumer.beforeCommit?.(uow);
      return { uow, outcome };
    } catch (error) {
      const reason = deadLetterReason(consumer, error);
      return reason
        ? { uow, outcome: 'dead_lettered', reason }
        : { uow, outcome: undefined, error };
    }
  }

  #build(input: SpecEvent<C>): {
    event: CatalogEvent<C>;
    identity: EventIdentity;
    extensions: Record<string, ExtensionValue>;
    upcastFrom?: string;
  } {
    const { catalog } = this.#consumer;
    if ('specversion' in input) {
      const event = input as CatalogEvent<C>;
      return { event, identity: identityOf(event), extensions: {} };
    }
    const id = input.id ?? randomUUID();
    const source = input.source ?? this.#options.source ?? '/test';
    const time = new Date().toISOString();
    const current = catalog.currentOf(input.type);
    if (!(RECEIVED in input) && current?.type === input.type) {
      const create = catalog.createEvent as (t: string, d: unknown, a: object) => CatalogEvent<C>;
      const event = create(input.type, input.data, { id, source, time });
      return { event, identity: identityOf(event), extensions: {} };
    }
    const parsed = catalog.parseEvent({
      specversion: '1.0',
      id,
      source,
      type: input.type,
      time,
      datacontenttype: 'application/json',
      data: input.data,
    });
    if (!parsed.ok) throw parsed.error;
    return {
      event: parsed.event as CatalogEvent<C>,
      identity: { source, id, type: input.type },
      extensions: parsed.extensions,
      ...(parsed.upcastFrom === undefined ? {} : { upcastFrom: parsed.upcastFrom }),
    };
  }
}

function identityOf(event: { source: string; id: string; type: string }): EventIdentity {
  return { source: event.source, id: event.id, type: event.type };
}
