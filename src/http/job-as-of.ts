import { NotFoundError } from '../domain/errors.js';
import { type AsOfMarker, jobAsOf } from '../machines/job-as-of.js';
import type { JobDetails, TenantJobs } from '../manager/tenant-jobs.js';

/** getJob as of event `version`, with the recent errors of today (the log does not hold them). */
export async function readJobAsOf(
  jobs: TenantJobs,
  jobId: string,
  version: number,
): Promise<JobDetails & { asOf: AsOfMarker }> {
  const events = await jobs.readEvents(jobId);
  if (!events) throw new NotFoundError(`job ${jobId} not found`);
  const { view, asOf } = jobAsOf(events, version);
  const current = await jobs.getJob(jobId);
  return { ...view, errors: current?.errors ?? [], asOf };
}
