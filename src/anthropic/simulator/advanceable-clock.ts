import type { Clock } from '../../domain/clock.js';

/** A clock the simulator can move on: its base clock plus an offset that only grows. */
export class AdvanceableClock implements Clock {
  #offsetMs = 0;

  constructor(private readonly base: Clock) {}

  now(): Date {
    return new Date(this.base.now().getTime() + this.#offsetMs);
  }

  /** Moves this clock `ms` milliseconds ahead of its base. */
  advance(ms: number): void {
    this.#offsetMs += ms;
  }
}
