import { BatchkeeperError } from '../domain/errors.js';
import type { JobStatus } from '../domain/job-status.js';

/** A job's whole results were asked for before it ended; `?partial=true` reads what it has so far. */
export class JobNotFinishedError extends BatchkeeperError {
  readonly type = 'job_not_finished';
  readonly status = 409;
  constructor(
    readonly jobId: string,
    readonly jobStatus: JobStatus,
  ) {
    super(
      `job ${jobId} has not finished (status ${jobStatus}); ` +
        'pass ?partial=true for the results collected so far',
    );
  }
}
