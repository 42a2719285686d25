/**
 * A token bucket holding up to `capacity` calls, refilled at `perMinute` a
 * minute (Anthropic limits rates this way). Pure: the caller says what time it is.
 */
export class TokenBucket {
  readonly #capacity: number;
  readonly #refillPerMs: number;
  #tokens: number;
  #updatedAtMs: number;

  constructor(perMinute: number, nowMs: number, capacity = perMinute) {
    if (!(perMinute > 0 && capacity >= 1)) {
      throw new RangeError('a token bucket needs perMinute > 0 and capacity >= 1');
    }
    this.#capacity = capacity;
    this.#refillPerMs = perMinute / 60_000;
    this.#tokens = capacity;
    this.#updatedAtMs = nowMs;
  }

  /** Takes a token if one is there: 0 when taken, else the milliseconds until one will be. */
  take(nowMs: number): number {
    this.#refill(nowMs);
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - this.#tokens) / this.#refillPerMs);
  }

  #refill(nowMs: number): void {
    const elapsed = Math.max(0, nowMs - this.#updatedAtMs);
    this.#tokens = Math.min(this.#capacity, this.#tokens + elapsed * this.#refillPerMs);
    this.#updatedAtMs = Math.max(this.#updatedAtMs, nowMs);
  }
}
