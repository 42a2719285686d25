import { type BudgetUse, roomInBudget } from './job-budget.js';

/**
 * What a job does with requests that do not fit its budget or its tenant's daily budget: wait
 * for room (paused) or end as errored results with `error.type: "budget_exceeded"`.
 */
export type OverBudget = 'pause' | 'error';

/** The error type of a request ended because it did not fit (overBudget: "error"). */
export const BUDGET_EXCEEDED = 'budget_exceeded';

/** What the daily-budget decision needs to know of a tenant on the UTC day of `now`. */
export interface TenantBudgetUse {
  dailyBudgetUsd: number;
  /** Cost of the tenant's results collected since the UTC day began. */
  spentTodayUsd: number;
  /** The worst case of the tenant's sub-batches sent and not collected yet, whatever day they went. */
  inFlightWorstUsd: number;
}

/** The start of the UTC day `now` is in: what "today" counts from. */
export function utcDayStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

/** What a sub-batch of a job under a cap, a tenant's daily budget, or both, comes to. */
export type BudgetDecision =
  /** Send the first `count` of the requests looked at (0: there were none). */
  | { kind: 'send'; count: number }
  /** Nothing fits: pause; `neededUsd` is the next request's worst case (what room must open). */
  | { kind: 'pause'; reason: 'budget' | 'tenant-budget'; neededUsd: number }
  /** Nothing fits, the job asks to end it, but its own batches in flight may cost less than their worst case: wait for them. */
  | { kind: 'wait' }
  /** Nothing fits and nothing of the job is in flight: its unsent requests end as budget_exceeded. */
  | { kind: 'end-unfitted' };

/**
 * How much of the next sub-batch may be sent: the longest prefix of `worstCases` (the next
 * requests' worst cases, in sending order) that fits both the job's cap and its tenant's daily
 * budget. When none fits, a job that pauses says for which (its own cap first: raising the
 * tenant's budget would not help it), and one that ends its requests waits until its own
 * batches in flight are collected, so their actual cost, not their worst case, decides.
 * @example decideBudgetedSending({ job: null, tenant: { dailyBudgetUsd: 1, spentTodayUsd: 0.5, inFlightWorstUsd: 0 }, worstCases: [0.3, 0.3], overBudget: 'pause', jobInFlight: false }) // { kind: 'send', count: 1 }
 */
export function decideBudgetedSending(input: {
  job: BudgetUse | null;
  tenant: TenantBudgetUse | null;
  worstCases: readonly number[];
  overBudget: OverBudget;
  /** Whether the job has batches sent and not collected. */
  jobInFlight: boolean;
}): BudgetDecision {
  const { job, tenant, worstCases } = input;
  const jobRoom = job ? roomInBudget(job, worstCases) : worstCases.length;
  const tenantRoom = tenant ? roomInBudget(asBudgetUse(tenant), worstCases) : worstCases.length;
  const count = Math.min(jobRoom, tenantRoom);
  if (count > 0 || worstCases.length === 0) return { kind: 'send', count };
  if (input.overBudget === 'error')
    return input.jobInFlight ? { kind: 'wait' } : { kind: 'end-unfitted' };
  return {
    kind: 'pause',
    reason: jobRoom === 0 ? 'budget' : 'tenant-budget',
    neededUsd: worstCases[0]!,
  };
}

/**
 * Which of a tenant's jobs paused for its daily budget may resume (the day rolled over, the
 * budget was raised or removed, or batches came back cheaper than their worst case): in the
 * order given, each whose next request's worst case fits what is left once the ones before it
 * took theirs. A resumed job that finds no room after all pauses again.
 * @example jobsToResume({ dailyBudgetUsd: 1, spentTodayUsd: 0, inFlightWorstUsd: 0.5 }, [{ jobId: 'a', neededUsd: 0.3 }, { jobId: 'b', neededUsd: 0.3 }]) // ['a']
 */
export function jobsToResume(
  tenant: TenantBudgetUse | null,
  paused: ReadonlyArray<{ jobId: string; neededUsd: number }>,
): string[] {
  if (tenant === null) return paused.map((p) => p.jobId);
  const fitting = roomInBudget(
    asBudgetUse(tenant),
    paused.map((p) => p.neededUsd),
  );
  return paused.slice(0, fitting).map((p) => p.jobId);
}

function asBudgetUse(tenant: TenantBudgetUse): BudgetUse {
  return {
    maxCostUsd: tenant.dailyBudgetUsd,
    spentUsd: tenant.spentTodayUsd,
    inFlightWorstUsd: tenant.inFlightWorstUsd,
  };
}
