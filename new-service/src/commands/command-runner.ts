import { randomUUID } from 'node:crypto';
import type { AnyCatalog, CatalogEvent, CreateEventAttributes } from '@strangler/event-schemas';
import { NewServiceError, sqlState } from '../errors.js';
import { addToOutbox } from '../postgres/outbox.js';
import { inTransaction } from '../postgres/transaction.js';
import type {
  CommandContext,
  CommandOutcome,
  CommandRunner,
  CommandRunnerOptions,
  RunCommandOptions,
} from '../types.js';
import { checkRunnerOptions } from './runner-options.js';

/** Thrown inside the transaction of a dry run so that it rolls back; carries what to answer. */
class DryRunDone<R> {
  constructor(readonly outcome: CommandOutcome<R, never>) {}
}

// A command that lost a race (serialization failure, deadlock, or an aggregate saved by another
// writer since it was loaded) is run again from the start: its first attempt left nothing behind.
const RETRIED = new Set(['40001', '40P01']);
const lostRace = (err: unknown) =>
  RETRIED.has(sqlState(err)) || (err instanceof NewServiceError && err.code === 'version_conflict');

/**
 * Runs commands for a service's aggregates: each in one Postgres transaction that holds the unit
 * of work's changes and the command's events in the outbox (published by the adapter's outbox
 * mode), committed durably before the caller answers. A dry run does all of it and rolls back.
 */
export function createCommandRunner<C extends AnyCatalog, U>(
  options: CommandRunnerOptions<C, U>,
): CommandRunner<C, U> {
  const o = checkRunnerOptions(options);
  const createEvent = o.catalog.createEvent as (
    type: string,
    data: unknown,
    attributes: CreateEventAttributes,
  ) => CatalogEvent<C>;

  async function attempt<R>(
    handler: (uow: U, context: CommandContext<C>) => Promise<R> | R,
    run: RunCommandOptions,
  ): Promise<CommandOutcome<R, C>> {
    const dryRun = run.dryRun ?? false;
    try {
      return await inTransaction(
        o.pool,
        { synchronousCommit: true, logger: o.logger },
        async (tx) => {
          const events: CatalogEvent<C>[] = [];
          const uow = o.unitOfWork(tx);
          const context: CommandContext<C> = {
            tx,
            dryRun,
            emit: (type, data) => {
              events.push(
                createEvent(type, data, {
                  id: randomUUID(),
                  source: o.source,
                  time: new Date(),
                  ...(run.causationid ? { causationid: run.causationid } : {}),
                  ...(run.correlationid ? { correlationid: run.correlationid } : {}),
                }),
              );
            },
          };
          const result = await handler(uow, context);
          await o.beforeCommit?.(uow);
          await addToOutbox(tx, o.catalog, events);
          const outcome = { result, events, dryRun };
          if (dryRun) throw new DryRunDone(outcome as CommandOutcome<R, never>);
          return outcome;
        },
      );
    } catch (err) {
      if (err instanceof DryRunDone) return err.outcome as CommandOutcome<R, C>;
      throw err;
    }
  }

  return {
    async run(handler, run = {}) {
      for (let n = 1; ; n++) {
        try {
          const outcome = await attempt(handler, run);
          o.logger.debug(
            { events: outcome.events.length, dryRun: outcome.dryRun, attempts: n },
            'command done',
          );
          return outcome;
        } catch (err) {
          if (!lostRace(err) || n >= o.maxAttempts) throw err;
          o.logger.warn({ err, attempt: n }, 'command lost a race with another; running it again');
        }
      }
    },
  };
}

/** Whether a request asks for a dry run: `x-strangler-dry-run: 1` (or `true`). */
export function isDryRun(headers: Record<string, string | string[] | undefined>): boolean {
  const value = headers['x-strangler-dry-run'];
  const one = Array.isArray(value) ? value[0] : value;
  if (one === undefined) return false;
  if (one === '1' || one === 'true') return true;
  if (one === '0' || one === 'false') return false;
  throw new NewServiceError(
    'bad_request',
    `x-strangler-dry-run must be 1 or 0; got ${JSON.stringify(one.slice(0, 40))}`,
  );
}
