import type { JobState } from '../domain/job.state.js';
import { forgetOriginals } from '../store/jobs/job-requests.js';
import { finalizeUnfinishedRequests } from '../store/jobs/request-results.js';
import type { Trx } from '../store/schema/index.js';

/**
 * When a job ends without every request answered, the rest get an outcome
 * that says why, so every request of a terminal job has exactly one final result.
 */
export async function finalizeEndedJob(trx: Trx, state: JobState, now: Date): Promise<void> {
  if (state.status === 'cancelled' || state.status === 'expired' || state.status === 'failed') {
    await forgetOriginals(trx, state.id);
  }
  switch (state.status) {
    case 'cancelled':
      await finalizeUnfinishedRequests(trx, state.id, 'canceled', { type: 'canceled' }, null, now);
      return;
    case 'expired':
      await finalizeUnfinishedRequests(trx, state.id, 'expired', { type: 'expired' }, null, now);
      return;
    case 'failed':
      await finalizeUnfinishedRequests(
        trx,
        state.id,
        'errored',
        {
          type: 'errored',
          error: {
            type: 'error',
            error: { type: 'job_failed', message: state.failureReason ?? 'the job failed' },
          },
        },
        'job_failed',
        now,
      );
      return;
    default:
      return;
  }
}
