/** Where "now" comes from; code that decides on time takes one, so tests can move it. */
export interface Clock {
  now(): Date;
}

/** The machine's own clock. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock that moves only when told to (tests). */
export class ManualClock implements Clock {
  #now: Date;

  constructor(start: Date = new Date()) {
    this.#now = new Date(start);
  }

  now(): Date {
    return new Date(this.#now);
  }

  /** Moves the clock forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.#now = new Date(this.#now.getTime() + ms);
  }

  /** Puts the clock at `date`. */
  set(date: Date): void {
    this.#now = new Date(date);
  }
}
