/** Where the consumer stands in a partition since it was (re)assigned. */
export interface Position {
  /** Offset of the next message to process. */
  expected: bigint;
  /** True once the fetch position was set from `expected`: later offsets are gaps, not misreads. */
  sought: boolean;
}

/**
 * The next offset of each assigned partition, read once per assignment from the stored
 * checkpoint (`read`) and then moved along as messages are applied. Reads in flight are shared, so
 * a join and a message do not read the same checkpoint twice; a new generation (a rebalance)
 * forgets everything, and reads started for an older one are discarded.
 */
export class PartitionPositions {
  readonly #read: (partition: number) => Promise<bigint>;
  readonly #known = new Map<number, Position>();
  readonly #reading = new Map<number, Promise<Position>>();
  #generation = 0;

  constructor(read: (partition: number) => Promise<bigint>) {
    this.#read = read;
  }

  get generation(): number {
    return this.#generation;
  }

  /** Forgets every position: the partitions were assigned again. Returns the new generation. */
  reset(): number {
    this.#known.clear();
    this.#reading.clear();
    return ++this.#generation;
  }

  has(partition: number): boolean {
    return this.#known.has(partition);
  }

  set(partition: number, position: Position): void {
    this.#known.set(partition, position);
  }

  /** The partition's position, reading the checkpoint when it is not known yet. */
  get(partition: number): Promise<Position> {
    const known = this.#known.get(partition);
    if (known) return Promise.resolve(known);
    const inFlight = this.#reading.get(partition);
    if (inFlight) return inFlight;
    const generation = this.#generation;
    const reading = this.#read(partition).then((expected) => {
      const position = { expected, sought: false };
      if (generation === this.#generation) this.#known.set(partition, position);
      return position;
    });
    this.#reading.set(partition, reading);
    const forget = () => {
      if (this.#reading.get(partition) === reading) this.#reading.delete(partition);
    };
    reading.then(forget, forget);
    return reading;
  }
}
