import type { CachePrimingView } from '../domain/cache-priming.js';
import type { JobBudgetView } from '../machines/job-views.js';
import { plural } from './cli-output.js';

const usd = (value: number) => `$${value.toFixed(4)}`;

/** A cap as set: `$5.00`, `$0.0015` (cents at least, up to four decimals, no trailing zeros past cents). */
export function formatCap(value: number): string {
  if (value < 0.0001) return `$${value}`;
  const text = value.toFixed(4).replace(/0{1,2}$/, '');
  return `$${text}`;
}

/**
 * A job's budget on one line (its cap, what it does over budget, why paused, the tenant's day), or
 * null when none applies.
 * @example formatBudget(job.budget) // 'cap $5.00; over budget: pause; paused: its cap (raise it: batchkeeper budget ID USD)'
 */
export function formatBudget(budget: JobBudgetView | undefined): string | null {
  if (!budget) return null;
  const parts: string[] = [];
  if (budget.maxCostUsd !== null) parts.push(`cap ${formatCap(budget.maxCostUsd)}`);
  const daily = budget.tenantDaily;
  if (daily) {
    parts.push(
      `tenant today ${usd(daily.spentTodayUsd)} spent + ${usd(daily.inFlightWorstUsd)} in flight (worst case) of ${usd(daily.dailyBudgetUsd)}`,
    );
  }
  const pausedForBudget = budget.pausedFor === 'budget' || budget.pausedFor === 'tenant-budget';
  if (parts.length === 0 && !pausedForBudget) return null;
  parts.push(budget.overBudget === 'error' ? 'over budget: error' : 'over budget: pause');
  if (budget.pausedFor === 'budget') {
    parts.push('paused: its cap (raise it: batchkeeper budget ID USD)');
  }
  if (budget.pausedFor === 'tenant-budget') {
    parts.push("paused: the tenant's daily budget (resumes by itself when there is room)");
  }
  return parts.join('; ');
}

/**
 * A job's cache priming on one line, or null when it is off.
 * @example formatCachePriming(job.cachePriming) // 'auto · 2 groups primed · 2 prime batches · 0 held back (one more batch turnaround)'
 */
export function formatCachePriming(priming: CachePrimingView | undefined): string | null {
  if (!priming) return null;
  const groups =
    priming.primed === priming.groups
      ? `${plural(priming.groups, 'group')} primed`
      : `${plural(priming.groups, 'group')}, ${priming.primed} primed`;
  const turnaround = priming.extraTurnaround ? ' (one more batch turnaround)' : '';
  return (
    `${priming.mode} · ${groups} · ${plural(priming.primeBatches, 'prime batch', 'prime batches')} · ` +
    `${priming.heldBack} held back${turnaround}`
  );
}
