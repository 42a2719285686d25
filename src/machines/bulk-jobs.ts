import type { Caller } from '../domain/actor.js';
import { BatchkeeperError } from '../domain/errors.js';
import { type BulkOutcome, bulkApplies, bulkDoneOutcome } from '../domain/job-bulk.plan.js';
import { MAX_BULK_JOBS, parseBulkAction } from '../domain/job-bulk.schema.js';
import { findBulkJobs } from '../store/jobs/find-bulk-jobs.js';
import type { Db } from '../store/schema/index.js';
import type { JobCommands } from './job-commands.js';

/** What a bulk call did, or would do, to one job. */
export interface BulkJobOutcome {
  id: string;
  outcome: BulkOutcome;
  /** Why a job was skipped. */
  reason?: string;
  /** The new job of a retry. */
  retryJobId?: string;
  /** How many requests the retry sends again (or would). */
  requestCount?: number;
}

export interface BulkResult {
  jobs: BulkJobOutcome[];
  /** True when more than MAX_BULK_JOBS jobs matched: call again for the rest. */
  more: boolean;
}

/**
 * Cancels or retries every job of the tenant that the filter matches, oldest first, at most
 * MAX_BULK_JOBS; one job at a time, each with its own command (one job refused does not stop
 * the others: it is `skipped` with the refusal's message). A dry run changes nothing: it says
 * what each job's command would do.
 */
export async function bulkJobs(
  db: Db,
  commands: JobCommands,
  tenant: string,
  input: unknown,
  caller?: Caller,
): Promise<BulkResult> {
  const body = parseBulkAction(input);
  const found = await findBulkJobs(db, tenant, body.filter, MAX_BULK_JOBS + 1);
  const jobs: BulkJobOutcome[] = [];
  for (const job of found.slice(0, MAX_BULK_JOBS)) {
    const applies = bulkApplies(body.action, job.status);
    if (!applies.applies) {
      jobs.push({ id: job.id, outcome: 'skipped', reason: applies.reason });
      continue;
    }
    const outcome = bulkDoneOutcome(body.action, body.dryRun);
    try {
      if (body.action === 'cancel') {
        if (!body.dryRun) await commands.cancelJob(tenant, job.id, caller);
        jobs.push({ id: job.id, outcome });
      } else if (body.dryRun) {
        const { requestCount } = await commands.previewRetry(tenant, job.id, body.retry ?? {});
        jobs.push({ id: job.id, outcome, requestCount });
      } else {
        const retried = await commands.retryJob(tenant, job.id, body.retry ?? {}, caller);
        jobs.push({
          id: job.id,
          outcome,
          retryJobId: retried.id,
          requestCount: retried.totalRequests,
        });
      }
    } catch (error) {
      if (!(error instanceof BatchkeeperError) || error.status >= 500) throw error;
      jobs.push({ id: job.id, outcome: 'skipped', reason: error.message });
    }
  }
  return { jobs, more: found.length > MAX_BULK_JOBS };
}
