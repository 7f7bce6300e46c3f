import {
  badRequest,
  isDryRun,
  json,
  NewServiceError,
  notFound,
  post,
  patch,
  type CommandRunner,
  type RequestContext,
  type Route,
} from '@strangler/new-service';
import type { AllocationCatalog } from '../../../catalog/index.js';
import { outboxEvents } from '../../adapters/outbox-events.js';
import { DomainRuleViolation } from '../../domain/index.js';
import type { AllocationUnitOfWork } from '../../service-layer/unit-of-work.js';
import {
  addBatch,
  allocate,
  changeBatchQuantity,
  deallocate,
} from '../../service-layer/write-handlers.js';
import { identifier, integer, jsonObject, optionalDate } from './validate.js';

type Commands = CommandRunner<AllocationCatalog, AllocationUnitOfWork>;

/**
 * The write entry points, for when the proxy sends the write group here: the legacy monolith's
 * API, request for request and answer for answer. Each request becomes one command run by the
 * kit (its changes and its events in the outbox, in one transaction); `x-strangler-dry-run: 1`
 * runs it and rolls it back.
 */
export function writeRoutes(commands: Commands): Route[] {
  return [
    post('/allocate', async (req) => {
      const body = jsonObject(await req.json());
      const line = {
        orderid: identifier(body.orderid, 'orderid'),
        sku: identifier(body.sku, 'sku'),
        qty: integer(body.qty, 'qty', 1),
      };
      return json(await run(commands, req, (uow) => allocate(uow, line)), { status: 201 });
    }),
    post('/deallocate', async (req) => {
      const body = jsonObject(await req.json());
      const orderid = identifier(body.orderid, 'orderid');
      const sku = identifier(body.sku, 'sku');
      return run(commands, req, (uow) => deallocate(uow, orderid, sku));
    }),
    post('/batches', async (req) => {
      const body = jsonObject(await req.json());
      const batch = {
        ref: identifier(body.ref, 'ref'),
        sku: identifier(body.sku, 'sku'),
        qty: integer(body.qty, 'qty', 0),
        eta: optionalDate(body.eta, 'eta'),
      };
      return json(await run(commands, req, (uow) => addBatch(uow, batch)), { status: 201 });
    }),
    patch('/batches/:ref', async (req) => {
      const ref = identifier(req.params.ref, 'ref');
      const qty = integer(jsonObject(await req.json()).qty, 'qty', 0);
      return run(commands, req, (uow) => changeBatchQuantity(uow, ref, qty));
    }),
  ];
}

/** One command: its events to the outbox with their products' versions, refusals as legacy answers them. */
async function run<R>(
  commands: Commands,
  req: RequestContext,
  work: (uow: AllocationUnitOfWork) => Promise<R>,
): Promise<R> {
  try {
    const { result } = await commands.run(
      async (uow, ctx) => {
        const answer = await work(uow);
        const events = uow.collectNewEvents();
        const versions = new Map<string, number>();
        for (const e of events) versions.set(e.sku, (await uow.products.get(e.sku))?.version ?? 0);
        for (const e of outboxEvents(events, (sku) => versions.get(sku) ?? 0)) {
          ctx.emit(e.type, e.data as never);
        }
        return answer;
      },
      { dryRun: isDryRun(req.headers), causationid: req.requestId },
    );
    return result;
  } catch (err) {
    throw err instanceof DomainRuleViolation ? asLegacyAnswers(err) : err;
  }
}

function asLegacyAnswers(err: DomainRuleViolation): NewServiceError {
  switch (err.code) {
    case 'batch_exists':
      return new NewServiceError('conflict', err.message);
    case 'unknown_batch':
      return notFound(err.message);
    case 'unknown_product':
    case 'out_of_stock':
    case 'line_not_allocated':
    case 'wrong_sku':
    case 'line_already_allocated':
      return badRequest(err.message);
    default: {
      const unhandled: never = err.code;
      throw new Error(`unhandled rule ${String(unhandled)}`);
    }
  }
}
