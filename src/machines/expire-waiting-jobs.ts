import type { Clock } from '../domain/clock.js';
import { ConcurrencyError } from '../domain/errors.js';
import { type JobState, unfinishedRequests } from '../domain/job.state.js';
import { findUnheldJobsPastDeadline } from '../store/jobs/job-leases.js';
import type { Db } from '../store/schema/index.js';
import { type CommitContext, commitJobEvents, loadJob } from './job-store.js';

/** Jobs looked at per round. */
const EXPIRED_PER_ROUND = 20;

export interface ExpireDeps {
  db: Db;
  clock: Clock;
  context: CommitContext;
  onCommitted?: ((before: JobState, after: JobState) => void) | undefined;
}

/**
 * Queued and pending jobs past their deadline are expired by whoever sees them first (no
 * instance holds them). A job another writer moved meanwhile is left to the next round.
 */
export async function expireWaitingJobs(deps: ExpireDeps): Promise<void> {
  const { db, clock, context } = deps;
  const ids = await findUnheldJobsPastDeadline(db, clock.now(), EXPIRED_PER_ROUND);
  for (const id of ids) {
    try {
      const change = await db.transaction().execute(async (trx) => {
        const job = await loadJob(trx, id);
        if (!job || (job.state.status !== 'queued' && job.state.status !== 'pending'))
          return undefined;
        const at = clock.now().toISOString();
        const next = await commitJobEvents(
          trx,
          job,
          [{ type: 'JobExpired', data: { at, unfinished: unfinishedRequests(job.state) } }],
          context,
        );
        return { before: job.state, after: next.state };
      });
      if (change) deps.onCommitted?.(change.before, change.after);
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
    }
  }
}
