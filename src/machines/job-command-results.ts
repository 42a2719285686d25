import type { JobStatus } from '../domain/job-status.js';
import type { JobSummary } from './job-views.js';

/** What registering a new job's callback gave back: the secret it generated, if it did. */
export interface JobCreatedExtras {
  callbackSecret?: string | undefined;
}

/** createJob's answer in full: whether this call created the job, and a generated callback secret. */
export interface CreatedJob {
  summary: JobSummary;
  /** False when an Idempotency-Key found the job an earlier call created. */
  created: boolean;
  /** The callback's secret when createJob generated it (shown once; absent on a replay). */
  callbackSecret?: string | undefined;
}

/** retryJob's answer: the new job's summary, the job it retries, a generated callback secret. */
export interface RetriedJob extends JobSummary {
  retryOf: string;
  callbackSecret?: string | undefined;
}

export interface CancelResult {
  id: string;
  previousStatus: JobStatus;
  status: JobStatus;
  /** False while batches at Anthropic are still being cancelled; the job then ends as cancelled. */
  cancelled: boolean;
}

export interface TransitionResult {
  id: string;
  previousStatus: JobStatus;
  status: JobStatus;
}

/** A budget change: the job's cap now, and its status before and after (a raise resumes a job paused for its budget). */
export interface BudgetChangeResult extends TransitionResult {
  maxCostUsd: number | null;
}

export interface DeleteResult {
  id: string;
  deleted: true;
  previousStatus: JobStatus;
}
