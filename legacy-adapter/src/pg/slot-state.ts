import type pg from 'pg';
import { LegacyAdapterError } from '../errors.js';
import type { Logger } from '../types.js';
import { checkSlot, dropMarker, dropSlot, findSlot, hasMarker } from './slot.js';

/**
 * The slot, once no walsender holds it: a connection that just closed releases its slot a moment
 * later. Still held after a few seconds means another process streams from it.
 */
export async function findReleasedSlot(db: pg.Pool | pg.PoolClient, slot: string) {
  for (let i = 0; ; i++) {
    const info = await findSlot(db, slot);
    if (!info?.active || i >= 50) return info;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Decides whether this start needs the initial snapshot: yes without a slot, or with a slot whose
 * snapshot never completed (dropped here). A slot that disappeared after a completed snapshot
 * stops the adapter (`SLOT_MISSING`) unless `resnapshot` asks to load the current state again.
 */
export async function needsSnapshot(
  db: pg.PoolClient,
  o: { slot: string; database: string; resnapshot: boolean; logger: Logger },
): Promise<boolean> {
  const { slot } = o;
  let info = await findReleasedSlot(db, slot);
  const marked = await hasMarker(db, slot);
  if (info) checkSlot(info, slot, o.database);
  if (info && !marked) {
    o.logger.warn(
      { slot },
      'slot exists but its initial snapshot never completed: dropping it and starting over',
    );
    await dropSlot(db, slot);
    info = null;
  }
  if (!info && marked) {
    if (!o.resnapshot) {
      throw new LegacyAdapterError(
        'SLOT_MISSING',
        `replication slot ${slot} is gone, though this adapter streamed from it before: changes made since it disappeared cannot be captured one by one. ` +
          `Start with --resnapshot to publish the current state as a new snapshot`,
      );
    }
    await dropMarker(db, slot);
  }
  return !info;
}
