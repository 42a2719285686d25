import type { Clock } from '../domain/clock.js';
import { ValidationError } from '../domain/errors.js';
import { unboundedBudgetProblem } from '../domain/job-budget.js';
import type { JobConfig } from '../domain/job-config.schema.js';
import { type JobOptions, tenantLimitDefaults } from '../domain/job-options.js';
import { type TenantBudgetUse, utcDayStart } from '../domain/tenant-budget.js';
import { readTenantBudgetUse, readTenantDailyBudget } from '../store/jobs/tenant-spend.js';
import type { Db } from '../store/schema/index.js';

/** How long a tenant's daily budget, once read, is taken as it is. */
const DAILY_BUDGET_READ_AGE_MS = 1000;
/** Tenants whose budgets are kept at once (all forgotten past it: read again). */
const MOST_TENANTS = 10_000;

/**
 * What creation and the job view need of the budgets: whether a job's requests can be bounded
 * under its cap or its tenant's daily budget, and the tenant's spend today. A tenant's daily
 * budget is read at most once a second, so creating a job or reading one costs no statement
 * to learn it (a budget set or removed is applied to creations within a second; what is sent
 * is checked again at each submission, budget-room.ts).
 */
export class TenantBudgetGuard {
  readonly #deps: { db: Db; clock: Clock; options: JobOptions };
  readonly #dailyBudgets = new Map<string, { usd: number | null; readAt: number }>();

  constructor(deps: { db: Db; clock: Clock; options: JobOptions }) {
    this.#deps = deps;
  }

  /**
   * A budget is a guarantee only for requests whose cost can be bounded (worstCaseCostOf): a
   * budgeted job, or any job of a tenant with a daily budget, with any other is refused before
   * anything is written.
   */
  async assertBounded(tenant: string, config: JobConfig): Promise<void> {
    const budgeted = config.maxCostUsd != null;
    const daily = budgeted ? null : await this.dailyBudgetOf(tenant);
    if (!budgeted && daily === null) return;
    const what = budgeted ? 'maxCostUsd' : `the tenant's daily budget (${daily} USD)`;
    const problem = unboundedBudgetProblem(config.requests, this.#deps.options.priceTable, what);
    const path = budgeted ? 'maxCostUsd' : 'requests';
    if (problem) throw new ValidationError(problem, [{ path, message: problem }]);
  }

  /** The tenant's daily budget (its override, else the default); null: none. */
  async dailyBudgetOf(tenant: string): Promise<number | null> {
    const { db, options, clock } = this.#deps;
    const now = clock.now().getTime();
    const known = this.#dailyBudgets.get(tenant);
    if (known && now - known.readAt < DAILY_BUDGET_READ_AGE_MS && now >= known.readAt) {
      return known.usd;
    }
    const fallback = tenantLimitDefaults(options).dailyBudgetUsd;
    const usd = await readTenantDailyBudget(db, tenant, fallback);
    if (this.#dailyBudgets.size >= MOST_TENANTS) this.#dailyBudgets.clear();
    this.#dailyBudgets.set(tenant, { usd, readAt: now });
    return usd;
  }

  /**
   * The tenant's daily budget and what counts against it today (UTC); null: it has none. A
   * tenant without one costs no statement when the caller gives its override (`override`,
   * read with what it read: null for none), or it was read within the last second.
   */
  async use(tenant: string, override?: number | null): Promise<TenantBudgetUse | null> {
    const { db, options, clock } = this.#deps;
    const fallback = tenantLimitDefaults(options).dailyBudgetUsd;
    const budget =
      override === undefined ? await this.dailyBudgetOf(tenant) : (override ?? fallback);
    if (budget === null) return null;
    return readTenantBudgetUse(db, tenant, utcDayStart(clock.now()), fallback);
  }
}
