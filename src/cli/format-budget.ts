import type { JobBudgetView } from '../machines/job-views.js';

const usd = (value: number) => `$${value.toFixed(4)}`;

/** A job's budget on one line (its cap, what it does over budget, why paused, the tenant's day), or null when none applies. */
export function formatBudget(budget: JobBudgetView | undefined): string | null {
  if (!budget) return null;
  const parts: string[] = [];
  if (budget.maxCostUsd !== null) parts.push(`cap ${usd(budget.maxCostUsd)}`);
  const daily = budget.tenantDaily;
  if (daily) {
    parts.push(
      `tenant today ${usd(daily.spentTodayUsd)} spent + ${usd(daily.inFlightWorstUsd)} in flight (worst case) of ${usd(daily.dailyBudgetUsd)}`,
    );
  }
  if (parts.length === 0) return null;
  parts.push(budget.overBudget === 'error' ? 'over budget: error' : 'over budget: pause');
  if (budget.pausedFor === 'budget') parts.push('paused: its cap');
  if (budget.pausedFor === 'tenant-budget') parts.push("paused: the tenant's daily budget");
  return parts.join('; ');
}
