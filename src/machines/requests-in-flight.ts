import type { Clock } from '../domain/clock.js';
import { countTenantRequestsInFlight } from '../store/jobs/request-results.js';
import type { Db } from '../store/schema/index.js';

/** How long a count of requests in flight at Anthropic is reused before it is read again. */
const IN_FLIGHT_COUNT_TTL_MS = 1000;

/** Requests waiting at Anthropic: every tenant's, and one tenant's with its override. */
export interface InFlightCount {
  all: number;
  tenant: number;
  /** The tenant's own limit from tenant_limits, if it has one. */
  maxOverride: number | null;
  /**
   * The tenant's own daily budget from tenant_limits, if it has one: read with the counts, so
   * a submission learns it without a statement of its own (a change is seen within a second).
   */
  dailyBudgetOverride?: number | null;
}

/**
 * Requests waiting at Anthropic across every instance, read at most once a second per
 * tenant and moved on by what this instance sends meanwhile, so it stays near the truth
 * without a query a step.
 */
export class RequestsInFlight {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #byTenant = new Map<string, InFlightCount & { readAt: number }>();

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
  }

  async count(tenant: string): Promise<InFlightCount> {
    const now = this.#clock.now().getTime();
    const cached = this.#byTenant.get(tenant);
    if (cached && now - cached.readAt < IN_FLIGHT_COUNT_TTL_MS) return cached;
    const read = { ...(await countTenantRequestsInFlight(this.#db, tenant)), readAt: now };
    this.#byTenant.set(tenant, read);
    return read;
  }

  /** This instance just sent `requests` more for `tenant`. */
  sent(tenant: string, requests: number): void {
    for (const [name, count] of this.#byTenant) {
      count.all += requests;
      if (name === tenant) count.tenant += requests;
    }
  }
}
