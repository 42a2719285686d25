// The library face of batchkeeper.

export * from './domain/errors.js';
export { JobStatus } from './domain/job-status.js';
export { Priority } from './domain/priority.js';
export { PriorityQueue } from './domain/priority-queue.js';
export type { CancelResult, DeleteResult, TransitionResult } from './machines/job-commands.js';
export type { JobNotifications } from './machines/job-notifications.js';
export type { JobSummary, JobView } from './machines/job-views.js';
export {
  BatchJobManager,
  type JobDetails,
  type JobStats,
  type ListJobsResult,
  TenantJobs,
} from './manager/batch-job-manager.js';
export type { BatchJobManagerOptions } from './manager/manager-options.js';
