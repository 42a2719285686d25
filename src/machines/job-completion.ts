import type { JobEvent } from '../domain/job.events.js';
import type { JobState } from '../domain/job.state.js';
import { finalProgress, type JobProgress } from '../domain/progress.js';
import { countWaitingDuplicates } from '../store/jobs/job-requests.js';
import { countJobOutcomes } from '../store/jobs/request-results.js';
import type { DbOrTrx } from '../store/schema/index.js';

/** JobCompleted with the final counts given. */
export function jobCompleted(
  total: number,
  outcomes: Pick<JobProgress, 'completed' | 'failed' | 'cancelled' | 'expired'>,
  now: Date,
): JobEvent {
  return {
    type: 'JobCompleted',
    data: { at: now.toISOString(), progress: finalProgress(total, outcomes) },
  };
}

/**
 * JobCompleted with the job's final counts, or undefined while some of its duplicates still
 * wait for other jobs' originals. A job with duplicates is counted from its results (they take
 * their originals' outcomes); one without, from its own state.
 */
export async function completion(
  db: DbOrTrx,
  state: JobState,
  now: Date,
): Promise<JobEvent[] | undefined> {
  if (state.deduplicatedRequests === 0) {
    return [jobCompleted(state.totalRequests, state.outcomes, now)];
  }
  if ((await countWaitingDuplicates(db, state.id)) > 0) return undefined;
  const counts = await countJobOutcomes(db, state.id);
  const outcomes = {
    completed: counts.succeeded,
    failed: counts.errored,
    cancelled: counts.canceled,
    expired: counts.expired,
  };
  return [jobCompleted(state.totalRequests, outcomes, now)];
}
