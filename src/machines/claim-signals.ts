/**
 * When a scheduler round's claim statement can find work, and when the other instances must be
 * told about jobs created here.
 *
 * Signs of queued work are counted (wake-ups from any instance, jobs created here); a claim
 * that left slots free found the queue empty, so a round woken with no sign since then (a slot
 * freed by a job that ended) skips the statement. Jobs created here are promised a slot of this
 * instance inside their creating transaction and wake nobody else; if the claim then has no room
 * for them all, the others are told. Rounds on the poll always claim.
 */
export class ClaimSignals {
  #signals = 0;
  #signalsWhenDrained = -1;
  #promised = 0;

  /** A sign of queued work arrived. */
  seen(): void {
    this.#signals += 1;
  }

  /**
   * Promises one of `free` slots to a job being created here; false when all are promised
   * (then its creation must wake the others).
   */
  promise(free: number): boolean {
    if (free - this.#promised <= 0) return false;
    this.#promised += 1;
    return true;
  }

  /** Whether a round's claim could find anything (`woken`: not on the poll). */
  worthClaiming(woken: boolean): boolean {
    return !woken || this.#signals !== this.#signalsWhenDrained || this.#promised > 0;
  }

  /** A claim begins: the signs it answers and the jobs promised since the last one. */
  begin(): { signals: number; promised: number } {
    const begun = { signals: this.#signals, promised: this.#promised };
    this.#promised = 0;
    return begun;
  }

  /** The claim begun at `signals` left slots free: the queue was empty then. */
  drained(signals: number): void {
    this.#signalsWhenDrained = signals;
  }
}
