import type { Clock } from '../domain/clock.js';
import { countRequestsInFlight } from '../store/jobs/request-results.js';
import type { Db } from '../store/schema/index.js';

/** How long the count of requests in flight at Anthropic is reused before it is read again. */
const IN_FLIGHT_COUNT_TTL_MS = 1000;

/**
 * Requests waiting at Anthropic across every instance, read at most once a second and moved
 * on by what this instance sends meanwhile, so it stays near the truth without a query a step.
 */
export class RequestsInFlight {
  readonly #db: Db;
  readonly #clock: Clock;
  #inFlight: { count: number; readAt: number } | undefined;

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  async count(): Promise<number> {
    const now = this.#clock.now().getTime();
    if (!this.#inFlight || now - this.#inFlight.readAt >= IN_FLIGHT_COUNT_TTL_MS) {
      this.#inFlight = { count: await countRequestsInFlight(this.#db), readAt: now };
    }
    return this.#inFlight.count;
  }

  /** This instance just sent `requests` more. */
  sent(requests: number): void {
    if (this.#inFlight) this.#inFlight.count += requests;
  }
}
