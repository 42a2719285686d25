import type { BatchState, JobState } from './job.state.types.js';
import type { BudgetUse } from './job-budget.js';
import { type JobProgress, progressFromCounts } from './progress.js';

/** Read-only views of a job's state: its progress, what is unfinished or open, its budget use. */

/** A job's progress: its own outcomes, or the last reported progress if that is newer. */
export function progressOf(state: JobState): JobProgress {
  if (state.reportedProgress) return state.reportedProgress;
  return progressFromCounts({
    total: state.totalRequests,
    ...state.outcomes,
    inFlight: state.inFlight,
  });
}

/** Requests of this job that have no final outcome yet (duplicates excluded). */
export function unfinishedRequests(state: JobState): number {
  const { completed, failed, cancelled, expired } = state.outcomes;
  return Math.max(0, state.uniqueRequests - completed - failed - cancelled - expired);
}

/** Batches sent (or about to be) whose results are not collected yet. */
export function openBatches(state: JobState): BatchState[] {
  return state.batches.filter((b) => b.status !== 'collected' && b.status !== 'abandoned');
}

/** What the budget decision needs of a budgeted job (null: the job has no cap). */
export function budgetUseOf(state: JobState): BudgetUse | null {
  // A snapshot stored before budgets were kept has no field at all.
  if (typeof state.maxCostUsd !== 'number') return null;
  return {
    maxCostUsd: state.maxCostUsd,
    spentUsd: state.usage.costUsd ?? 0,
    inFlightWorstUsd: openBatches(state).reduce((sum, b) => sum + b.worstCaseUsd, 0),
  };
}
