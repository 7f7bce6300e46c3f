import type { DomainEvent, Product } from '../domain/index.js';
import type {
  DeadLetter,
  DeadLetterReason,
  EventIdentity,
  InboxOutcome,
  MessagePosition,
} from '../types.js';

/** The book's repository: aggregates in and out, nothing else. */
export interface ProductRepository {
  /** The product with its batches and lines, locked for the rest of the unit of work. */
  get(sku: string): Promise<Product | undefined>;
  /** A new product, written when the unit of work commits. */
  add(product: Product): void;
  /** The sku of the batch with this reference, whichever product holds it (references are global). */
  skuOfBatch(ref: string): Promise<string | undefined>;
}

/** Event ids already taken into account: the deduplication half of exactly-once. */
export interface Inbox {
  /** Records the event; false when it was recorded before (a duplicate delivery). */
  add(event: EventIdentity, position: MessagePosition, outcome: InboxOutcome): Promise<boolean>;
  setOutcome(event: EventIdentity, outcome: InboxOutcome): Promise<void>;
  /** Forgets a dead-lettered event so a replay can apply it; false if it was not dead-lettered. */
  forgetDeadLettered(event: EventIdentity): Promise<boolean>;
}

/** Per partition, the offset of the next message to process: the other half of exactly-once. */
export interface Checkpoints {
  /**
   * Moves the partition's checkpoint past this message and locks it for the unit of work; false
   * when the checkpoint is already past it (another delivery processed it).
   */
  claim(position: MessagePosition): Promise<boolean>;
}

export interface DeadLetters {
  add(letter: DeadLetter): Promise<void>;
  /** Records a replay that took the message into account (`applied`, `unchanged`, `duplicate`...). */
  markReplayed(id: string, outcome: string): Promise<void>;
  /** Records a replay that failed again, with the new reason. */
  markFailedAgain(id: string, reason: DeadLetterReason): Promise<void>;
}

/**
 * One database transaction. Nothing is kept unless `commit()` is called: `runInUnitOfWork` rolls
 * back whatever was not committed, whether the work returned or threw.
 */
export interface UnitOfWork {
  readonly products: ProductRepository;
  readonly inbox: Inbox;
  readonly checkpoints: Checkpoints;
  readonly deadLetters: DeadLetters;
  /** Writes the loaded aggregates' changes and commits. */
  commit(): Promise<void>;
  rollback(): Promise<void>;
  /** Drains the events the loaded aggregates raised since the last call. */
  collectNewEvents(): DomainEvent[];
  /** Runs `work` in a savepoint: if it throws, only its own writes are undone. */
  savepoint<T>(work: () => Promise<T>): Promise<T>;
}

/** Opens a unit of work (a connection and a transaction). */
export type UnitOfWorkFactory = () => Promise<UnitOfWork & { release(error?: Error): void }>;

/** Runs `work` in a fresh unit of work, rolling back unless `work` committed. */
export async function runInUnitOfWork<T>(
  open: UnitOfWorkFactory,
  work: (uow: UnitOfWork) => Promise<T>,
): Promise<T> {
  const uow = await open();
  let broken: Error | undefined;
  try {
    return await work(uow);
  } finally {
    // A connection whose rollback fails is unusable: releasing it with the error discards it.
    await uow.rollback().catch((err: Error) => (broken = err));
    uow.release(broken);
  }
}
