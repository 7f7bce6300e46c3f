import { ProxyError } from '../errors.js';
import type { GroupState, RouteTable } from '../routing/table.js';
import type { Logger } from 'pino';
import type { Mode, WriteBarrierFigures } from '../types.js';
import { catchUp } from './catch-up.js';
import type { WriteBarriers } from './write-barrier.js';

/** Who takes a write group's writes in a mode (canary is refused for write groups). */
const writer = (mode: Mode) => (mode === 'new' ? 'new' : mode === 'canary' ? 'both' : 'legacy');

/** The group's writer changes between these modes. */
export function writerChanges(group: GroupState | undefined, from: Mode, to: Mode): boolean {
  return group?.writes !== undefined && writer(from) !== writer(to);
}

/** A group whose writes are held, drained and caught up: move it, then `release()`. */
export interface PreparedMove {
  figures: WriteBarrierFigures;
  /** Lets the held writes go on; they are decided again, on whatever table is current. */
  release(): void;
}

/**
 * Puts the group behind its write barrier when the switch changes who takes its writes: new
 * writes held, writes in flight drained, the side taking over caught up with the side that
 * wrote. The caller then moves the group and releases. Null when the writer does not change.
 * Anything not done within the hold calls the switch off (throws); the writes go on where they
 * went.
 */
export async function prepareWriteMove(
  barriers: WriteBarriers,
  group: GroupState,
  from: Mode,
  to: Mode,
  logger: Logger,
): Promise<PreparedMove | null> {
  const writes = group.writes;
  if (!writes) return null;
  if (to === 'canary') {
    throw new ProxyError(
      'switch_denied',
      `group "${group.id}" takes one aggregate's writes: canary would give it two writers; switch it to new, or back to legacy or shadow`,
    );
  }
  if (writer(from) === writer(to)) return null;
  const direction = writer(to) === 'new' ? 'toNew' : 'toLegacy';
  const spec = writes[direction];
  if (!spec) {
    throw new ProxyError(
      'switch_denied',
      `group "${group.id}" takes one aggregate's writes: set writes.${direction} (its barrier and applied URLs) so the proxy can tell when ${writer(to)} has caught up`,
    );
  }
  const started = performance.now();
  const inFlight = barriers.inFlight(group.id);
  const hold = barriers.hold(group.id, writes.hold);
  logger.info({ group: group.id, from, to, inFlight, holdMs: writes.hold }, 'holding writes');
  try {
    await barriers.drained(group.id, hold.deadline);
    const drained = performance.now();
    const position = await catchUp(spec, hold.deadline);
    const caughtUp = performance.now();
    if (caughtUp > hold.deadline) {
      throw new ProxyError('switch_denied', `the hold of group "${group.id}" ran out`, {
        retriable: true,
      });
    }
    const figures: WriteBarrierFigures = {
      inFlight,
      drainMs: round(drained - started),
      catchUpMs: round(caughtUp - drained),
      topic: position.topic,
      offsets: position.offsets,
    };
    return {
      figures,
      release() {
        figures.heldMs = round(performance.now() - started);
        hold.release();
        logger.info(
          { group: group.id, from, to, ...figures },
          'writes moved; held writes released',
        );
      },
    };
  } catch (err) {
    hold.release();
    logger.warn(
      { group: group.id, from, to, err: (err as Error).message },
      'write switch called off; held writes go on where they went',
    );
    throw err;
  }
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/**
 * An edited route file: each write group whose writer the edit changes is prepared (held,
 * drained, caught up) before the new table is swapped in, and released by the swap (or when its
 * hold runs out, should the swap not happen).
 */
export class ReloadBarrier {
  private readonly pending: PreparedMove[] = [];

  constructor(
    private readonly barriers: WriteBarriers,
    private readonly logger: Logger,
  ) {}

  readonly check = async (previous: RouteTable, next: RouteTable): Promise<void> => {
    try {
      for (const group of next.groups.values()) {
        const before = previous.groups.get(group.id);
        // A group already held is being moved by a switch, whose own file write lands here.
        if (!before || this.barriers.holding(group.id)) continue;
        const prepared = await prepareWriteMove(
          this.barriers,
          group,
          before.mode,
          group.mode,
          this.logger,
        );
        if (prepared) this.pending.push(prepared);
      }
      if (this.pending.length > 0) {
        // The swap follows this check at once; should it not come, the writes are not held forever.
        clearTimeout(this.unswapped);
        this.unswapped = setTimeout(() => {
          this.logger.warn('no table swap followed a write barrier; releasing its held writes');
          this.swapped();
        }, 5000);
        this.unswapped.unref();
      }
    } catch (err) {
      this.swapped();
      throw err;
    }
  };

  /** The table was swapped: the groups moved, their writes go on. */
  swapped(): void {
    clearTimeout(this.unswapped);
    for (const prepared of this.pending.splice(0)) prepared.release();
  }

  private unswapped: NodeJS.Timeout | undefined;
}
