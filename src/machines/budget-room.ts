import type { JobEvent } from '../domain/job.events.js';
import { budgetUseOf, openBatches } from '../domain/job.state.js';
import { worstCaseCostOf } from '../domain/job-budget.js';
import { type JobOptions, tenantLimitDefaults } from '../domain/job-options.js';
import {
  BUDGET_EXCEEDED,
  type BudgetDecision,
  decideBudgetedSending,
  utcDayStart,
} from '../domain/tenant-budget.js';
import { takeTenantAdvisoryLock } from '../store/advisory-locks.js';
import { selectSendableRequests } from '../store/jobs/job-requests.js';
import { finalizeUnfinishedRequests } from '../store/jobs/request-results.js';
import { readTenantBudgetUse, readTenantDailyBudget } from '../store/jobs/tenant-spend.js';
import type { Trx } from '../store/schema/index.js';
import type { HydratedJob } from './job-snapshot.js';

/** What the budgets allow of a job's next sub-batch, and the worst case of its first n requests. */
export interface BudgetRoom {
  decision: BudgetDecision;
  worstOf: (n: number) => number;
}

/**
 * For a job under a cap or whose tenant has a daily budget: what of its next `limit` sendable
 * requests may go (decideBudgetedSending); undefined when no budget applies. Under a daily
 * budget the tenant's lock is taken first and held until `trx` ends, so the intent this
 * transaction records is counted by the next sub-batch of any of the tenant's jobs, on any
 * instance. A request that cannot be bounded (its model lost its price since creation) never fits.
 */
export async function budgetRoom(
  trx: Trx,
  job: HydratedJob,
  limit: number,
  options: JobOptions,
  now: Date,
  scope: {
    /** Only these requests may go (cache priming holds the others back). */
    only?: readonly number[] | undefined;
    /**
     * The tenant's daily budget override as the caller read it (with the requests in flight,
     * at most a second ago); undefined: read it here.
     */
    dailyBudgetOverride?: number | null | undefined;
  } = {},
): Promise<BudgetRoom | undefined> {
  const { state } = job;
  const { only } = scope;
  const jobUse = budgetUseOf(state);
  const fallback = tenantLimitDefaults(options).dailyBudgetUsd;
  const daily =
    scope.dailyBudgetOverride === undefined
      ? await readTenantDailyBudget(trx, state.tenant, fallback)
      : (scope.dailyBudgetOverride ?? fallback);
  if (jobUse === null && daily === null) return undefined;
  if (daily !== null) await takeTenantAdvisoryLock(trx, 'tenantBudget', state.tenant);
  const tenantUse =
    daily === null
      ? null
      : await readTenantBudgetUse(trx, state.tenant, utcDayStart(now), fallback);
  const next = await selectSendableRequests(trx, state.id, limit, only);
  const worstCases = next.map((request) => {
    const worst = worstCaseCostOf(request.params, options.priceTable);
    return 'usd' in worst ? worst.usd : Number.POSITIVE_INFINITY;
  });
  const decision = decideBudgetedSending({
    job: jobUse,
    tenant: tenantUse,
    worstCases,
    // A snapshot stored before the option was kept has no field at all.
    overBudget: state.overBudget ?? 'pause',
    jobInFlight: openBatches(state).length > 0,
  });
  return {
    decision,
    worstOf: (n) => worstCases.slice(0, n).reduce((sum, usd) => sum + usd, 0),
  };
}

/**
 * The events of a decision that sends nothing: the job's pause, or its unsent requests ended
 * as errored results (`budget_exceeded`, written here in `trx`, with no batch); none while it
 * waits for its batches in flight.
 */
export async function overBudgetEvents(
  trx: Trx,
  jobId: string,
  decision: Exclude<BudgetDecision, { kind: 'send' }>,
  now: Date,
): Promise<JobEvent[]> {
  const at = now.toISOString();
  switch (decision.kind) {
    case 'pause':
      return [
        {
          type: 'JobPaused',
          data:
            decision.reason === 'tenant-budget'
              ? { at, reason: decision.reason, neededUsd: decision.neededUsd }
              : { at, reason: decision.reason },
        },
      ];
    case 'wait':
      return [];
    case 'end-unfitted': {
      const message = 'the request does not fit the job’s budget or its tenant’s daily budget';
      const requestCount = await finalizeUnfinishedRequests(
        trx,
        jobId,
        'errored',
        { type: 'errored', error: { type: 'error', error: { type: BUDGET_EXCEEDED, message } } },
        BUDGET_EXCEEDED,
        now,
      );
      return [{ type: 'RequestsEndedOverBudget', data: { requestCount, at } }];
    }
    default: {
      const unknown: never = decision;
      throw new Error(`unknown budget decision ${JSON.stringify(unknown)}`);
    }
  }
}
