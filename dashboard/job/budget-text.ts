import type { components } from '../api/openapi.generated.js';
import { formatUsd } from '../format.js';

type Schemas = components['schemas'];
export type JobBudget = Schemas['JobBudget'];
type TenantDaily = Schemas['TenantDailyBudget'];

/** The cap as read: an amount, or "no cap". */
export function capText(maxCostUsd: number | null): string {
  return maxCostUsd === null ? 'no cap' : formatUsd(maxCostUsd);
}

/** What the job does with requests that do not fit its budget. */
export function overBudgetText(overBudget: JobBudget['overBudget']): string {
  return overBudget === 'pause'
    ? 'pauses until the budget is raised'
    : 'ends them as errored results (budget_exceeded)';
}

/** The tenant's spend today against its daily budget. */
export function tenantDailyText(daily: TenantDaily): string {
  return (
    `${formatUsd(daily.spentTodayUsd)} of ${formatUsd(daily.dailyBudgetUsd)} spent today (UTC), ` +
    `${formatUsd(daily.inFlightWorstUsd)} at most in flight`
  );
}

/** Why the job is paused, or null when it is not. */
export function pausedForText(budget: JobBudget): string | null {
  switch (budget.pausedFor) {
    case null:
      return null;
    case 'budget':
      return 'its budget: the next requests do not fit the cap. Raise the cap to resume it.';
    case 'tenant-budget':
      return budget.tenantDaily
        ? `the tenant's daily budget: ${tenantDailyText(budget.tenantDaily)}. It resumes when the budget has room again.`
        : "the tenant's daily budget. It resumes when the budget has room again.";
    case 'caller':
      return 'a caller (Pause). Resume it to go on.';
    default: {
      const unknown: never = budget.pausedFor;
      return String(unknown);
    }
  }
}
