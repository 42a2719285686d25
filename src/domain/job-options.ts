import {
  type AnthropicApiVersion,
  DEFAULT_ANTHROPIC_VERSION,
} from './anthropic-api/api-version.js';
import { type PriceTable, SHIPPED_PRICE_TABLE } from './pricing.js';
import { Priority } from './priority.js';

/** The manager's options (the seed's, plus what the pipeline needs). */
export interface JobOptions {
  /** Jobs processed at once by one instance (default: 5). */
  maxConcurrentJobs: number;
  /** Pending and queued jobs accepted before createJob refuses (default: 1000). */
  maxQueueSize: number;
  /**
   * Pending and queued jobs one tenant may have (default: maxQueueSize); while the whole queue
   * is full a tenant is still admitted up to an even share of it (see decideAdmission).
   */
  tenantMaxQueueSize?: number | undefined;
  /**
   * Slots of one instance a tenant's jobs may hold once jobs of more than one tenant exist
   * (default: maxConcurrentJobs - 1, at least 1), so one tenant's long jobs always leave a slot
   * to the others.
   */
  tenantMaxConcurrentJobs?: number | undefined;
  /** Requests one tenant may have waiting at Anthropic (default: 80% of maxRequestsInFlight). */
  tenantMaxRequestsInFlight?: number | undefined;
  /**
   * USD one tenant's jobs may be billed a UTC day, at batch prices (default: none): sub-batches
   * go only while today's cost and the worst case in flight leave room (domain/tenant-budget.ts).
   */
  tenantDailyBudgetUsd?: number | undefined;
  /** (default: Priority.NORMAL) */
  defaultPriority: Priority;
  /** How long a request's fingerprint deduplicates later ones (default: 300000). */
  deduplicationWindowMs: number;
  /** A job's deadline (default: 86400000, 24 h). */
  defaultTimeoutMs: number;
  /** Times a retryably errored request is sent again (default: 3). */
  retryAttempts: number;
  /** Wait before sending errored requests again (default: 5000). */
  retryDelayMs: number;
  /** Most requests in one sub-batch (default: 100000, Anthropic's limit). */
  maxBatchRequests: number;
  /** Most bytes of request params in one sub-batch (default: 256 MB less room for the envelope). */
  maxBatchBytes: number;
  /** Most requests this instance keeps waiting at Anthropic, all jobs together (default: 100000). */
  maxRequestsInFlight: number;
  /** First wait between status polls of a batch; it doubles up to pollMaxMs (default: 1000). */
  pollIntervalMs: number;
  /** (default: 30000) */
  pollMaxMs: number;
  /** How long a lease lasts without renewal (default: 30000). */
  leaseTtlMs: number;
  /** How often the scheduler looks for work (default: 250). */
  schedulerIntervalMs: number;
  /**
   * How old an unconfirmed submission must be before it is reconciled against
   * Anthropic's batch list: younger, the batch may exist but not be listed yet (default: 10000).
   */
  reconcileAfterMs: number;
  /**
   * The longest one batch creation may take, retries included; its sender gives up then. An
   * unconfirmed submission that Anthropic does not list is sent again only once this and
   * reconcileAfterMs have passed since its intent, so an instance that lost its lease while
   * its creation was still out cannot have it land after the job was sent again (default: 180000).
   */
  submitTimeoutMs: number;
  /** The `anthropic-version` a job is validated and sent under unless it names one (default: 2026-10-21). */
  anthropicVersion: AnthropicApiVersion;
  /** What results are costed with (default: the shipped table, src/domain/anthropic-api/prices.json). */
  priceTable: PriceTable;
}

/**
 * Every option's default: the one home of these numbers (the library's defaults, and the ones
 * `serve` falls back to when a variable is unset).
 */
export const DEFAULT_JOB_OPTIONS: Readonly<JobOptions> = {
  maxConcurrentJobs: 5,
  maxQueueSize: 1000,
  // Unset: derived from the options above (tenantLimitDefaults); listed so they can be set.
  tenantMaxQueueSize: undefined,
  tenantMaxConcurrentJobs: undefined,
  tenantMaxRequestsInFlight: undefined,
  tenantDailyBudgetUsd: undefined,
  defaultPriority: Priority.NORMAL,
  deduplicationWindowMs: 5 * 60_000,
  defaultTimeoutMs: 24 * 60 * 60_000,
  retryAttempts: 3,
  retryDelayMs: 5000,
  maxBatchRequests: 100_000,
  maxBatchBytes: 250 * 1024 * 1024,
  maxRequestsInFlight: 100_000,
  pollIntervalMs: 1000,
  pollMaxMs: 30_000,
  leaseTtlMs: 30_000,
  schedulerIntervalMs: 250,
  reconcileAfterMs: 10_000,
  submitTimeoutMs: 180_000,
  anthropicVersion: DEFAULT_ANTHROPIC_VERSION,
  priceTable: SHIPPED_PRICE_TABLE,
};

/** The per-tenant limits as they apply when a tenant has no override. */
export function tenantLimitDefaults(options: JobOptions): {
  maxQueueSize: number;
  maxConcurrentJobs: number;
  maxRequestsInFlight: number;
  /** null: no daily budget. */
  dailyBudgetUsd: number | null;
} {
  return {
    maxQueueSize: options.tenantMaxQueueSize ?? options.maxQueueSize,
    maxConcurrentJobs:
      options.tenantMaxConcurrentJobs ?? Math.max(1, options.maxConcurrentJobs - 1),
    maxRequestsInFlight:
      options.tenantMaxRequestsInFlight ??
      Math.max(1, Math.floor(options.maxRequestsInFlight * 0.8)),
    dailyBudgetUsd: options.tenantDailyBudgetUsd ?? null,
  };
}
