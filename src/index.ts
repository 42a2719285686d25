// The library face of batchkeeper.

// The Message Batches client the manager drives, for calling the API directly
// (the prototype's createBatch, getBatchStatus, cancelBatch, listBatches,
// getBatchResults, parseResults, waitForBatch), and the simulator it is tested against.
export {
  AnthropicGateway,
  type AnthropicGatewayOptions,
  type BatchResult,
  type MessageBatch,
  parseResults,
  type WaitForBatchOptions,
} from './anthropic/index.js';
export { type RunningSimulator, startSimulator } from './anthropic/simulator/index.js';
export * from './domain/errors.js';
export type { CostSplit } from './domain/job-cost.js';
export type { JobEstimate } from './domain/job-estimate.js';
export { JobStatus } from './domain/job-status.js';
export { Priority } from './domain/priority.js';
export { PriorityQueue } from './domain/priority-queue.js';
export type {
  CancelResult,
  DeleteResult,
  TransitionResult,
} from './machines/job-command-results.js';
export type { JobNotifications } from './machines/job-notifications.js';
export type { JobSummary, JobView } from './machines/job-views.js';
export { BackgroundFailure } from './manager/background-failure.js';
export {
  BatchJobManager,
  type JobDetails,
  type JobStats,
  type ListJobsResult,
  TenantJobs,
} from './manager/batch-job-manager.js';
export type { BatchJobManagerOptions } from './manager/manager-options.js';
export { TenantWebhooks } from './manager/tenant-webhooks.js';
export { JobWaitTimeoutError, type WaitForJobOptions } from './manager/wait-for-job.js';
// Thrown when the embedded database folder is already open in another process (or this one).
export { DataDirLockedError, type DataDirOwner } from './store/data-dir-lock.js';
export {
  JOB_EVENT_TYPES,
  type JobEventType,
  type RegisterWebhookInput,
  type TriggerWebhookInput,
  WebhookEndpointInactiveError,
  type WebhookPayload,
  type WebhookSubscription,
  type WebhookSubscriptionWithSecret,
} from './webhooks/index.js';
