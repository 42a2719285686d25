import type { AnthropicApiVersion } from './anthropic-api/api-version.js';
import type { CachePrimeState } from './cache-primes.js';
import type { CachePrimingMode } from './cache-priming.js';
import type { UsageTotals } from './job.events.js';
import type { BilledUsageTotals } from './job-cost.js';
import type { JobStatus } from './job-status.js';
import type { JobProgress } from './progress.js';
import type { OverBudget } from './tenant-budget.js';

export type BatchStatus = 'intended' | 'submitted' | 'ended' | 'collected' | 'abandoned';

/** One sub-batch of a job, as the log tells it. */
export interface BatchState {
  batchKey: string;
  batchId: string | null;
  attempt: number;
  requestCount: number;
  status: BatchStatus;
  /** Found at Anthropic by reconciliation rather than answered to our create. */
  adopted: boolean;
  intendedAt: string;
  submittedAt: string | null;
  endedAt: string | null;
  /** Where the results are, once Anthropic said so. */
  resultsUrl: string | null;
  collectedAt: string | null;
  /** The most its requests can be billed; 0 where it was not recorded (no budget applied). */
  worstCaseUsd: number;
  /** What its results cost once collected (null: not collected yet, or a model with no price). */
  costUsd: number | null;
}

/** Everything the log says about a job: the fold of its events. */
export interface JobState {
  id: string;
  tenant: string;
  status: JobStatus;
  priority: number;
  tags: string[];
  metadata: Record<string, unknown>;
  deduplicate: boolean;
  timeoutMs: number;
  callbackUrl: string | null;
  idempotencyKey: string | null;
  /** The `anthropic-version` every batch of the job is sent under. */
  anthropicVersion: AnthropicApiVersion;
  totalRequests: number;
  uniqueRequests: number;
  deduplicatedRequests: number;
  /** Final outcomes of this job's own (non-duplicate) requests. */
  outcomes: { completed: number; failed: number; cancelled: number; expired: number };
  /** Requests sent and not yet collected. */
  inFlight: number;
  /** Errored requests waiting to be sent again. */
  awaitingRetry: number;
  retryCount: number;
  batches: BatchState[];
  usage: UsageTotals;
  /** Cache tokens by kind and `usage.costUsd` split by kind (job-cost.ts). */
  billed: BilledUsageTotals;
  /** Errored results collected: final failures and attempts sent again (retriedErrorCount). */
  errorCount: number;
  /** Of errorCount, the errored attempts that were sent again (a retry may have fixed them). */
  retriedErrorCount: number;
  failureReason: string | null;
  /** The last progress set by hand or at completion (duplicates included). */
  reportedProgress: JobProgress | null;
  createdAt: string;
  updatedAt: string;
  queuedAt: string | null;
  startedAt: string | null;
  completedAt: string | null;
  expiresAt: string;
  retryDueAt: string | null;
  cancelRequestedAt: string | null;
  /** The instance that started (or took over) the job last: every later write is its own. */
  owner: string | null;
  deleted: boolean;
  /** The job this one retries (its failed requests), or null. */
  retryOf: string | null;
  /** The jobs that retry this one, oldest first. */
  retries: string[];
  /** The most the job may be billed (USD), or null: no cap. */
  maxCostUsd: number | null;
  /**
   * Why the job is paused: 'budget' when the next request did not fit its cap, 'tenant-budget'
   * its tenant's daily budget, 'caller' otherwise; null when not paused.
   */
  pausedFor: 'budget' | 'tenant-budget' | 'caller' | null;
  /** Paused for the tenant's daily budget: the next request's worst case (the room it waits for). */
  budgetNeededUsd: number | null;
  /** What requests that do not fit a budget do (default: pause). */
  overBudget: OverBudget;
  /** Whether shared cached prefixes are primed before their fan-out (absent in older snapshots: off). */
  cachePriming?: CachePrimingMode;
  /** Per cached prefix primed: its latest prime (cache-primes.ts; absent in older snapshots: none). */
  cachePrimes?: readonly CachePrimeState[];
}
