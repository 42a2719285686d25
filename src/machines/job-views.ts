import type { CachePrimingView } from '../domain/cache-priming.js';
import { type CacheReport, cacheReportOf } from '../domain/cache-report.js';
import type { JobState } from '../domain/job.state.js';
import { type CostSplit, costSplitOf } from '../domain/job-cost.js';
import type { JobStatus } from '../domain/job-status.js';
import { type JobProgress, progressFromCounts } from '../domain/progress.js';
import type { OverBudget, TenantBudgetUse } from '../domain/tenant-budget.js';
import type { JobBatchRow, JobRow } from '../store/schema/index.js';

/** What createJob answers (the seed's shape). */
export interface JobSummary {
  id: string;
  status: JobStatus;
  priority: number;
  totalRequests: number;
  uniqueRequests: number;
  deduplicatedRequests: number;
  createdAt: string;
  expiresAt: string;
}

export interface BatchView {
  batchKey: string;
  batchId: string | null;
  attempt: number;
  requestCount: number;
  status: string;
  submittedAt: string | null;
  endedAt: string | null;
  collectedAt: string | null;
}

/** A job as getJob shows it: no requests or results inside. */
export interface JobView extends JobSummary {
  tenant: string;
  step: string | null;
  progress: JobProgress;
  metadata: Record<string, unknown>;
  tags: string[];
  timeoutMs: number;
  callbackUrl: string | null;
  updatedAt: string;
  queuedAt: string | null;
  startedAt: string | null;
  completedAt: string | null;
  retryCount: number;
  cancelRequested: boolean;
  failureReason: string | null;
  /**
   * `costUsd` is null when a result's model has no price (unknown, never 0); `cost` splits it
   * by kind (`cost.totalUsd === costUsd`), null when unknown.
   */
  usage: {
    inputTokens: number;
    outputTokens: number;
    cacheWrite5mTokens: number;
    cacheWrite1hTokens: number;
    cacheReadTokens: number;
    costUsd: number | null;
    cost: CostSplit | null;
  };
  /** Prompt-cache tokens, hit rate and what the cache saved (cache-report.ts). */
  cache: CacheReport;
  batchIds: string[];
  /** Errored results collected: finalErrorCount + retriedErrorCount. */
  errorCount: number;
  /** Errored results that are their request's final outcome (the request failed). */
  finalErrorCount: number;
  /** Errored attempts that were sent again; a later attempt may have succeeded. */
  retriedErrorCount: number;
  /** The job whose failed requests this one sends again (POST /v1/jobs/:id/retry), or null. */
  retryOf: string | null;
  /** The jobs that retry this one, oldest first. */
  retries: string[];
  /** The job's cap, what it does with requests over budget, and why it is paused. */
  budget: JobBudgetView;
  /** Cache priming, for a job that asked for it (`cachePriming: "auto"`); absent: off. */
  cachePriming?: CachePrimingView;
}

/** A job's budget as shown. */
export interface JobBudgetView {
  /** USD at batch prices (null: no cap). */
  maxCostUsd: number | null;
  overBudget: OverBudget;
  /** 'budget' (its cap), 'tenant-budget' (its tenant's daily budget), 'caller'; null: not paused. */
  pausedFor: 'budget' | 'tenant-budget' | 'caller' | null;
  /** Shown by getJob when the tenant has a daily budget: today's (UTC) spend against it. */
  tenantDaily?: TenantBudgetUse;
}

export function summaryOf(state: JobState): JobSummary {
  return {
    id: state.id,
    status: state.status,
    priority: state.priority,
    totalRequests: state.totalRequests,
    uniqueRequests: state.uniqueRequests,
    deduplicatedRequests: state.deduplicatedRequests,
    createdAt: state.createdAt,
    expiresAt: state.expiresAt,
  };
}

export function rowToJobView(row: JobRow): JobView {
  return {
    id: row.id,
    tenant: row.tenant,
    status: row.status as JobStatus,
    step: row.step,
    priority: row.priority,
    totalRequests: row.total_requests,
    uniqueRequests: row.unique_requests,
    deduplicatedRequests: row.deduplicated_requests,
    progress: progressFromCounts({
      total: row.total_requests,
      completed: row.completed,
      failed: row.failed,
      cancelled: row.cancelled,
      expired: row.expired,
      inFlight: row.in_flight,
    }),
    metadata: row.metadata,
    tags: row.tags,
    timeoutMs: Number(row.timeout_ms),
    callbackUrl: row.callback_url,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    queuedAt: isoOrNull(row.queued_at),
    startedAt: isoOrNull(row.started_at),
    completedAt: isoOrNull(row.completed_at),
    expiresAt: iso(row.expires_at),
    retryCount: row.retry_count,
    cancelRequested: row.cancel_requested_at !== null,
    failureReason: row.failure_reason,
    usage: {
      inputTokens: Number(row.input_tokens),
      outputTokens: Number(row.output_tokens),
      cacheWrite5mTokens: Number(row.cache_write_5m_tokens),
      cacheWrite1hTokens: Number(row.cache_write_1h_tokens),
      cacheReadTokens: Number(row.cache_read_tokens),
      costUsd: row.cost_usd === null ? null : Number(row.cost_usd),
      cost: row.cost_split === null || row.cost_usd === null ? null : costSplitOf(row.cost_split),
    },
    cache: cacheReportOf(
      {
        cacheReadTokens: Number(row.cache_read_tokens),
        cacheWrite5mTokens: Number(row.cache_write_5m_tokens),
        cacheWrite1hTokens: Number(row.cache_write_1h_tokens),
      },
      row.cache_saved_usd === null ? null : Number(row.cache_saved_usd),
    ),
    batchIds: row.batch_ids,
    errorCount: row.error_count,
    finalErrorCount: row.error_count - row.retried_error_count,
    retriedErrorCount: row.retried_error_count,
    retryOf: row.retry_of ?? null,
    retries: row.retries ?? [],
    budget: {
      maxCostUsd: row.max_cost_usd ?? null,
      overBudget: row.over_budget === 'error' ? 'error' : 'pause',
      pausedFor: (row.paused_for ?? null) as JobBudgetView['pausedFor'],
    },
    ...(row.cache_priming ? { cachePriming: row.cache_priming } : {}),
  };
}

export function rowToBatchView(row: JobBatchRow): BatchView {
  return {
    batchKey: row.batch_key,
    batchId: row.anthropic_batch_id,
    attempt: row.attempt,
    requestCount: row.request_count,
    status: row.status,
    submittedAt: isoOrNull(row.submitted_at),
    endedAt: isoOrNull(row.ended_at),
    collectedAt: isoOrNull(row.collected_at),
  };
}

function iso(value: Date | string): string {
  return new Date(value).toISOString();
}

function isoOrNull(value: Date | string | null): string | null {
  return value === null ? null : iso(value);
}
