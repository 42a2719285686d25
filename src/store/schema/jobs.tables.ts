import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { CachePrimingView } from '../../domain/cache-priming.js';
import type { CostParts } from '../../domain/job-cost.js';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null, Date | string | null>;
type Json<T = unknown> = ColumnType<T, string, string>;

/** The job list read model (projection of the event log). */
export interface JobsTable {
  id: string;
  tenant: string;
  status: string;
  step: string | null;
  priority: number;
  tags: string[];
  metadata: Json<Record<string, unknown>>;
  deduplicate: boolean;
  callback_url: string | null;
  idempotency_key: string | null;
  total_requests: number;
  unique_requests: number;
  deduplicated_requests: number;
  completed: number;
  failed: number;
  cancelled: number;
  expired: number;
  in_flight: number;
  percent_complete: number;
  retry_count: number;
  input_tokens: number;
  output_tokens: number;
  /** Null: some result's model has no price in the table (unknown, never 0). */
  cost_usd: number | null;
  cache_write_5m_tokens: Generated<number>;
  cache_write_1h_tokens: Generated<number>;
  cache_read_tokens: Generated<number>;
  /** `cost_usd` by kind (CostParts); null: unknown. */
  cost_split: ColumnType<CostParts | null, string | null | undefined, string | null>;
  /** What cache reads saved (cache-report.ts, migration 0019); null: unknown. */
  cache_saved_usd: ColumnType<number | null, number | null | undefined, number | null>;
  batch_ids: string[];
  error_count: number;
  retried_error_count: Generated<number>;
  failure_reason: string | null;
  timeout_ms: number;
  created_at: Timestamp;
  updated_at: Timestamp;
  queued_at: NullableTimestamp;
  started_at: NullableTimestamp;
  completed_at: NullableTimestamp;
  expires_at: Timestamp;
  retry_due_at: NullableTimestamp;
  cancel_requested_at: NullableTimestamp;
  version: number;
  /** The job this one retries (migration 0013). */
  retry_of: Generated<string | null>;
  /** The jobs that retry this one, oldest first. */
  retries: Generated<string[]>;
  /** Why a paused job is paused (JobState.pausedFor; migration 0017). */
  paused_for: Generated<string | null>;
  /** The job's cap, USD (null: none; migration 0017). */
  max_cost_usd: Generated<number | null>;
  /** 'error': requests over budget end; null: they wait (pause). */
  over_budget: Generated<string | null>;
  /** What the job view says of cache priming; null: off (migration 0018). */
  cache_priming: ColumnType<CachePrimingView | null, string | null | undefined, string | null>;
}

export interface JobStatsTable {
  tenant: string;
  /** Which of the tenant's rows (0..15): a job always adds to the same one. */
  shard: Generated<number>;
  total_created: Generated<number>;
  total_completed: Generated<number>;
  total_failed: Generated<number>;
  total_cancelled: Generated<number>;
  total_expired: Generated<number>;
  total_deduplicated: Generated<number>;
  processing_time_ms_sum: Generated<number>;
  processing_time_count: Generated<number>;
  input_tokens: Generated<number>;
  output_tokens: Generated<number>;
  cost_usd: Generated<number>;
  cache_write_5m_tokens: Generated<number>;
  cache_write_1h_tokens: Generated<number>;
  cache_read_tokens: Generated<number>;
  input_usd: Generated<number>;
  output_usd: Generated<number>;
  cache_write_5m_usd: Generated<number>;
  cache_write_1h_usd: Generated<number>;
  cache_read_usd: Generated<number>;
  /** Web searches' per-use fees (migration 0017). */
  web_search_usd: Generated<number>;
  standard_usd: Generated<number>;
  cache_saved_usd: Generated<number>;
}

export interface JobBatchesTable {
  job_id: string;
  batch_key: string;
  attempt: number;
  request_count: number;
  anthropic_batch_id: string | null;
  status: 'intended' | 'submitted' | 'ended' | 'collected';
  intended_at: Timestamp;
  submitted_at: NullableTimestamp;
  ended_at: NullableTimestamp;
  collected_at: NullableTimestamp;
  /** The most the batch can be billed (0: not recorded); migration 0017. */
  worst_case_usd: Generated<number>;
  /** What its results cost once collected (null: unknown or not yet). */
  cost_usd: Generated<number | null>;
}

export interface JobRequestsTable {
  job_id: string;
  ordinal: number;
  custom_id: string;
  params: Json | null;
  fingerprint: string;
  original_job_id: string | null;
  original_ordinal: number | null;
}

export interface BatchRequestsTable {
  job_id: string;
  batch_key: string;
  ordinal: number;
}

export interface RequestResultsTable {
  job_id: string;
  ordinal: number;
  attempt: number;
  batch_key: string | null;
  result_type: 'succeeded' | 'errored' | 'canceled' | 'expired';
  error_type: string | null;
  final: boolean;
  result: Json;
  input_tokens: number;
  output_tokens: number;
  recorded_at: Timestamp;
}

export interface RequestFingerprintsTable {
  tenant: string;
  fingerprint: string;
  job_id: string;
  ordinal: number;
  created_at: Timestamp;
}

export interface JobLeasesTable {
  job_id: string;
  owner: string;
  expires_at: Timestamp;
  acquired_at: Timestamp;
}

/** A tenant's overrides of the BATCHKEEPER_TENANT_* defaults (null: the default). */
export interface TenantLimitsTable {
  tenant: string;
  max_queue_size: number | null;
  max_concurrent_jobs: number | null;
  max_requests_in_flight: number | null;
  /** USD a UTC day (migration 0017). */
  daily_budget_usd: Generated<number | null>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface JobTables {
  jobs: JobsTable;
  tenant_limits: TenantLimitsTable;
  job_stats: JobStatsTable;
  job_batches: JobBatchesTable;
  job_requests: JobRequestsTable;
  batch_requests: BatchRequestsTable;
  request_results: RequestResultsTable;
  request_fingerprints: RequestFingerprintsTable;
  job_leases: JobLeasesTable;
}

export type JobRow = Selectable<JobsTable>;
export type NewJobRow = Insertable<JobsTable>;
export type JobBatchRow = Selectable<JobBatchesTable>;
export type RequestResultRow = Selectable<RequestResultsTable>;
