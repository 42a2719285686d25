import type { Clock } from '../domain/clock.js';
import { ConcurrencyError } from '../domain/errors.js';
import type { JobState } from '../domain/job.state.js';
import { type JobOptions, tenantLimitDefaults } from '../domain/job-options.js';
import { jobsToResume, utcDayStart } from '../domain/tenant-budget.js';
import { notifyJobWakeup } from '../store/jobs/job-wakeups.js';
import { findJobsPausedForTenantBudget, readTenantBudgetUse } from '../store/jobs/tenant-spend.js';
import type { Db } from '../store/schema/index.js';
import { type CommitContext, commitJobEvents, loadJob } from './job-store.js';

/** Jobs looked at per round. */
const PAUSED_PER_ROUND = 100;

export interface ResumeTenantBudgetDeps {
  db: Db;
  clock: Clock;
  options: JobOptions;
  context: CommitContext;
  onCommitted?: ((before: JobState, after: JobState) => void) | undefined;
}

/**
 * Jobs paused for their tenant's daily budget resume, by whoever looks first, once there is
 * room for their next request (jobsToResume): the UTC day rolled over, the budget was raised
 * or removed, or batches in flight came back cheaper than their worst case. No instance holds
 * a paused job with nothing in flight, so no driver would notice; a resumed one is claimed
 * like a queued one (the wake-up). A job another writer moved meanwhile is left to the next round.
 */
export async function resumeTenantBudgetJobs(deps: ResumeTenantBudgetDeps): Promise<void> {
  const { db, clock, context } = deps;
  const candidates = await findJobsPausedForTenantBudget(db, PAUSED_PER_ROUND);
  const fallback = tenantLimitDefaults(deps.options).dailyBudgetUsd;
  for (const tenant of new Set(candidates.map((c) => c.tenant))) {
    const use = await readTenantBudgetUse(db, tenant, utcDayStart(clock.now()), fallback);
    const paused: Array<{ jobId: string; neededUsd: number }> = [];
    for (const { id } of candidates.filter((c) => c.tenant === tenant)) {
      const job = await loadJob(db, id);
      if (job?.state.pausedFor !== 'tenant-budget') continue;
      paused.push({ jobId: id, neededUsd: job.state.budgetNeededUsd ?? 0 });
    }
    for (const jobId of jobsToResume(use, paused)) await resume(deps, jobId, context);
  }
}

async function resume(deps: ResumeTenantBudgetDeps, jobId: string, context: CommitContext) {
  try {
    const change = await deps.db.transaction().execute(async (trx) => {
      const job = await loadJob(trx, jobId);
      if (job?.state.status !== 'paused' || job.state.pausedFor !== 'tenant-budget') return;
      const at = deps.clock.now().toISOString();
      const next = await commitJobEvents(trx, job, [{ type: 'JobResumed', data: { at } }], context);
      await notifyJobWakeup(trx, { jobId });
      return { before: job.state, after: next.state };
    });
    if (change) deps.onCommitted?.(change.before, change.after);
  } catch (error) {
    if (!(error instanceof ConcurrencyError)) throw error;
  }
}
