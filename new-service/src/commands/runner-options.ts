import { isCatalog, type AnyCatalog } from '@strangler/event-schemas';
import type { Logger } from 'pino';
import { configError } from '../errors.js';
import type { CommandRunnerOptions } from '../types.js';

/** The options with defaults filled in, checked at construction. */
export type CheckedRunnerOptions<C extends AnyCatalog, U> = CommandRunnerOptions<C, U> & {
  maxAttempts: number;
  logger: Logger;
};

const SOURCE = /^[^\s]+$/;

/** Refuses options a command could only fail on later, naming the option and what to give. */
export function checkRunnerOptions<C extends AnyCatalog, U>(
  o: CommandRunnerOptions<C, U>,
): CheckedRunnerOptions<C, U> {
  const where = 'createCommandRunner';
  if (typeof o !== 'object' || o === null) throw configError(`${where}: options are required`);
  if (typeof o.pool?.connect !== 'function') {
    throw configError(`${where}: pool must be a pg Pool (ServiceContext.pool)`);
  }
  if (!isCatalog(o.catalog)) {
    throw configError(
      `${where}: catalog must be made by defineCatalog from @strangler/event-schemas`,
    );
  }
  if (typeof o.source !== 'string' || !SOURCE.test(o.source)) {
    throw configError(
      `${where}: source ${JSON.stringify(o.source)} must be a URI-reference without spaces, e.g. "/services/billing"`,
    );
  }
  if (typeof o.unitOfWork !== 'function') {
    throw configError(`${where}: unitOfWork must be a function (tx) => your unit of work`);
  }
  if (o.beforeCommit !== undefined && typeof o.beforeCommit !== 'function') {
    throw configError(`${where}: beforeCommit must be a function when given`);
  }
  if (typeof o.logger?.warn !== 'function') {
    throw configError(`${where}: logger must be a pino logger (ServiceContext.logger)`);
  }
  const maxAttempts = o.maxAttempts ?? 3;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 100) {
    throw configError(
      `${where}: maxAttempts must be a whole number from 1 to 100; got ${JSON.stringify(o.maxAttempts)}`,
    );
  }
  return { ...o, maxAttempts };
}
