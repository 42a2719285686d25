/**
 * Terminology
 * - job: a list of Claude message requests handed to batchkeeper with a priority, tags and
 *   an optional webhook; one event stream.
 * - request: one `{custom_id, params}` item of a job; its data lives in insert-only tables.
 * - batch: an Anthropic Message Batch; a job is sent as one or more sub-batches.
 * - result: a request's outcome at Anthropic (succeeded, errored, canceled, expired).
 * - attempt: one sending of a request; retryable errors are sent again.
 * - lease: an instance's time-limited claim on a processing job.
 * - delivery: one webhook message and its attempts.
 */
import type { AnthropicApiVersion } from './anthropic-api/api-version.js';
import type { CostParts } from './job-cost.js';
import type { JobStatus } from './job-status.js';
import type { JobProgress } from './progress.js';

/** Token counts summed over results. */
export interface UsageTotals {
  inputTokens: number;
  outputTokens: number;
  /** Estimated USD; null when a result's model has no price in the table (unknown, never 0). */
  costUsd: number | null;
  /** Prompt-cache writes, 5-minute TTL. The fields below are absent in events written before they were kept. */
  cacheWrite5mTokens?: number;
  /** Prompt-cache writes, 1-hour TTL. */
  cacheWrite1hTokens?: number;
  cacheReadTokens?: number;
  /** Web searches run (billed per use); absent in events written before it was kept. */
  webSearchRequests?: number;
  /** `costUsd` by kind (it is their sum) and the standard price; null or absent: unknown (an unpriced model, an older event). */
  cost?: CostParts | null;
  /** What the cache reads saved at batch prices (cache-report.ts `CacheReport.savedUsd`); null: unknown; absent in older events. */
  cacheSavedUsd?: number | null;
}

export type JobCreated = {
  type: 'JobCreated';
  data: {
    jobId: string;
    tenant: string;
    priority: number;
    tags: string[];
    metadata: Record<string, unknown>;
    deduplicate: boolean;
    timeoutMs: number;
    callbackUrl: string | null;
    idempotencyKey: string | null;
    /** SHA-256 of the job's canonical config, to tell a repeated Idempotency-Key from a reused one. */
    configHash?: string;
    /**
     * The `anthropic-version` the job was validated under; every batch of it (retries too) is
     * sent under it. Always written since schema 3; older events are upcast to what was sent then.
     */
    anthropicVersion?: AnthropicApiVersion;
    /** Requests refused by validation and recorded as errored at once (`onInvalid: "drop"`). */
    droppedRequests?: number;
    /** The ended job whose failed requests this job sends again (POST /v1/jobs/:id/retry). */
    retryOf?: string;
    /** The most the job may be billed (USD at batch prices); absent: no cap. */
    maxCostUsd?: number;
    /** `auto`: shared cached prefixes are primed before their fan-out (cache-priming.ts); absent: off. */
    cachePriming?: 'auto';
    /** `error`: requests that do not fit a budget end as budget_exceeded; absent: they wait (paused). */
    overBudget?: 'error';
    totalRequests: number;
    uniqueRequests: number;
    deduplicatedRequests: number;
    createdAt: string;
    expiresAt: string;
  };
};
export type JobQueued = { type: 'JobQueued'; data: { at: string } };
export type JobStarted = { type: 'JobStarted'; data: { at: string; instanceId: string } };
/** Written before the batch is created at Anthropic, so a crash in between can be reconciled. */
export type BatchSubmissionIntended = {
  type: 'BatchSubmissionIntended';
  /**
   * `worstCaseUsd`: the most its requests can be billed (written for budgeted jobs).
   * `purpose: 'cache-prime'`: a one-request batch priming the prompt cache for the group
   * `cacheGroup` (its cached prefix's fingerprint) at `cacheTtl`, while `heldBack` requests of
   * the group wait for it (cache-priming.ts); absent: an ordinal sub-batch.
   */
  data: {
    batchKey: string;
    attempt: number;
    requestCount: number;
    at: string;
    worstCaseUsd?: number;
    purpose?: 'cache-prime';
    cacheGroup?: string;
    cacheTtl?: '5m' | '1h';
    heldBack?: number;
  };
};
export type BatchSubmitted = {
  type: 'BatchSubmitted';
  data: { batchKey: string; batchId: string; at: string; adopted?: boolean };
};
/** The intended batch was never created (refused before it existed); its requests wait again. */
export type BatchSubmissionAbandoned = {
  type: 'BatchSubmissionAbandoned';
  data: { batchKey: string; reason: string; at: string };
};
export type BatchEnded = {
  type: 'BatchEnded';
  /** `resultsUrl`: where Anthropic said the results are (absent in events written before it was kept). */
  data: { batchKey: string; batchId: string; at: string; resultsUrl?: string | undefined };
};
export type BatchResultsCollected = {
  type: 'BatchResultsCollected';
  data: {
    batchKey: string;
    batchId: string;
    /** Final outcomes by type, and the errored results that will be sent again. */
    succeeded: number;
    errored: number;
    canceled: number;
    expired: number;
    retryable: number;
    usage: UsageTotals;
    /** Hex SHA-256 over the batch's stored results in request order (docs/audit.md; absent before it was kept). */
    resultsDigest?: string | undefined;
    at: string;
  };
};
export type RetryScheduled = {
  type: 'RetryScheduled';
  data: { attempt: number; requestCount: number; dueAt: string; at: string };
};
export type ProgressRecorded = {
  type: 'ProgressRecorded';
  data: { progress: JobProgress; at: string };
};
/** A result or error recorded by hand (the seed's addResult / addError). */
export type RequestOutcomeRecorded = {
  type: 'RequestOutcomeRecorded';
  data: { customId: string; resultType: 'succeeded' | 'errored'; at: string };
};
/**
 * `reason: 'budget'`: the next request did not fit under maxCostUsd; `'tenant-budget'`: under
 * its tenant's daily budget, `neededUsd` its worst case (absent: paused by a caller).
 */
export type JobPaused = {
  type: 'JobPaused';
  data: { at: string; reason?: 'budget' | 'tenant-budget'; neededUsd?: number };
};
/** Requests that did not fit a budget ended as errored results, `budget_exceeded` (overBudget: "error"). */
export type RequestsEndedOverBudget = {
  type: 'RequestsEndedOverBudget';
  data: { requestCount: number; at: string };
};
/** The job's cap was set, changed or removed (null: no cap). */
export type JobBudgetChanged = {
  type: 'JobBudgetChanged';
  data: { maxCostUsd: number | null; at: string };
};
export type JobResumed = { type: 'JobResumed'; data: { at: string } };
export type JobCancellationRequested = { type: 'JobCancellationRequested'; data: { at: string } };
export type JobCancelled = { type: 'JobCancelled'; data: { at: string; unfinished: number } };
export type JobCompleted = { type: 'JobCompleted'; data: { at: string; progress: JobProgress } };
export type JobFailed = {
  type: 'JobFailed';
  data: { at: string; reason: string; unfinished: number };
};
export type JobExpired = { type: 'JobExpired'; data: { at: string; unfinished: number } };
export type JobDeleted = { type: 'JobDeleted'; data: { at: string } };
/** Some of this ended job's requests were sent again as a new job. */
export type JobRetried = {
  type: 'JobRetried';
  data: { retryJobId: string; requestCount: number; at: string };
};

/** Every fact a job's stream may hold, in the past tense. */
export type JobEvent =
  | JobCreated
  | JobQueued
  | JobStarted
  | BatchSubmissionIntended
  | BatchSubmitted
  | BatchSubmissionAbandoned
  | BatchEnded
  | BatchResultsCollected
  | RetryScheduled
  | ProgressRecorded
  | RequestOutcomeRecorded
  | JobPaused
  | RequestsEndedOverBudget
  | JobBudgetChanged
  | JobResumed
  | JobCancellationRequested
  | JobCancelled
  | JobCompleted
  | JobFailed
  | JobExpired
  | JobDeleted
  | JobRetried;

export type JobEventType = JobEvent['type'];

/** Every event type this version knows, for telling a newer writer's events apart. */
export const JOB_EVENT_TYPES: ReadonlySet<string> = new Set<JobEventType>(
  Object.keys({
    JobCreated: 0,
    JobQueued: 0,
    JobStarted: 0,
    BatchSubmissionIntended: 0,
    BatchSubmitted: 0,
    BatchSubmissionAbandoned: 0,
    BatchEnded: 0,
    BatchResultsCollected: 0,
    RetryScheduled: 0,
    ProgressRecorded: 0,
    RequestOutcomeRecorded: 0,
    JobPaused: 0,
    RequestsEndedOverBudget: 0,
    JobBudgetChanged: 0,
    JobResumed: 0,
    JobCancellationRequested: 0,
    JobCancelled: 0,
    JobCompleted: 0,
    JobFailed: 0,
    JobExpired: 0,
    JobDeleted: 0,
    JobRetried: 0,
  } satisfies Record<JobEventType, 0>) as JobEventType[],
);

/** The status each status-changing event leads to. */
export const STATUS_AFTER: Partial<Record<JobEventType, JobStatus>> = {
  JobCreated: 'pending',
  JobQueued: 'queued',
  JobStarted: 'processing',
  JobPaused: 'paused',
  JobResumed: 'processing',
  JobCancelled: 'cancelled',
  JobCompleted: 'completed',
  JobFailed: 'failed',
  JobExpired: 'expired',
};
