import { sql } from 'kysely';
import { type CacheReport, cacheReportOf } from '../../domain/cache-report.js';
import { type CostSplit, costSplitOf, roundCost, roundUsd } from '../../domain/job-cost.js';
import type { ListJobsFilter } from '../../domain/list-jobs.schema.js';
import { PreparedStatement } from '../prepared-statements.js';
import type { DbOrTrx, JobBatchRow, JobRow } from '../schema/index.js';
import { STATS_COLUMNS } from './project-job.js';

const SORT_COLUMNS = {
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  priority: 'priority',
  status: 'status',
  completedAt: 'completed_at',
  startedAt: 'started_at',
} as const;

/** A tenant's job, or undefined (another tenant's job is not found either). */
export async function findJobRow(
  db: DbOrTrx,
  tenant: string,
  jobId: string,
): Promise<JobRow | undefined> {
  return db
    .selectFrom('jobs')
    .selectAll()
    .where('id', '=', jobId)
    .where('tenant', '=', tenant)
    .executeTakeFirst();
}

/** One of a job's latest errored outcomes (the seed's errors list). */
export interface RecentError {
  customId: string;
  type: string | null;
  message: string | null;
  final: boolean;
  at: Date;
}

/** A tenant's job as getJob shows it: its row, its batches and its latest errors. */
export interface JobDetailsRows {
  job: JobRow;
  /** In the order they were intended. */
  batches: JobBatchRow[];
  /** Newest first. */
  errors: RecentError[];
  /** The tenant's own daily budget (tenant_limits), null when it has none of its own. */
  tenantDailyBudgetUsd: number | null;
}

/** A row as `to_json` gives it: timestamps are ISO strings. */
type JsonRow<T> = {
  [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K];
};

// One statement, one round trip, one JSON value: the row, its batches and its errors. As one
// json column node-postgres parses it with one JSON.parse, where the row's forty columns would
// take a parser each (a regex per timestamp). Prepared: on Postgres each connection plans it
// once (it runs on every GET /v1/jobs/:id). The errors are read newest first from the job's own
// errored results (request_results_job_errors, migration 0015: the first N in index order, where
// the all-jobs errored index skipped every newer error of other jobs); not at all for a job the
// row says has none (no errored result counted, and not failed: a failed job's unanswered
// requests get an errored outcome that errorCount does not count).
const JOB_DETAILS = new PreparedStatement<{
  details: {
    job: JsonRow<JobRow>;
    batches: JsonRow<JobBatchRow>[];
    errors: JsonRow<RecentError>[];
    dailyBudgetUsd: number | null;
  };
}>(
  'batchkeeper_job_details',
  `select json_build_object(
     'job', to_json(j),
     'batches',
     (select coalesce(json_agg(b order by b.intended_at, b.batch_key), '[]'::json)
        from job_batches b where b.job_id = j.id),
     'errors',
     (select coalesce(json_agg(json_build_object('customId', e.custom_id, 'type', e.error_type,
                                                 'message', e.message, 'final', e.final,
                                                 'at', e.recorded_at)
                               order by e.recorded_at desc, e.ordinal), '[]'::json)
        from (select r.custom_id, x.error_type, x.result->'error'->'error'->>'message' as message,
                     x.final, x.recorded_at, x.ordinal
              from request_results x
              join job_requests r on r.job_id = x.job_id and r.ordinal = x.ordinal
              where x.job_id = j.id and x.result_type = 'errored'
                and (j.error_count > 0 or j.status = 'failed')
              order by x.recorded_at desc, x.ordinal
              limit $3) e),
     'dailyBudgetUsd',
     (select t.daily_budget_usd from tenant_limits t where t.tenant = j.tenant)
   ) as details
   from jobs j
   where j.id = $1 and j.tenant = $2`,
);

/** A tenant's job with its batches and latest `errorLimit` errors, in one statement; undefined for another tenant's. */
export async function findJobDetails(
  db: DbOrTrx,
  tenant: string,
  jobId: string,
  errorLimit: number,
): Promise<JobDetailsRows | undefined> {
  const { rows } = await db.executeQuery(JOB_DETAILS.bind([jobId, tenant, errorLimit]));
  const details = rows[0]?.details;
  if (!details) return undefined;
  return {
    job: withDates(details.job),
    batches: details.batches.map(withDates),
    errors: details.errors.map((e) => ({ ...e, at: new Date(e.at) })),
    tenantDailyBudgetUsd: details.dailyBudgetUsd ?? null,
  };
}

/** The row with every `..._at` column (the timestamps, and only they) back as a Date. */
function withDates<T>(row: JsonRow<T>): T {
  const out: Record<string, unknown> = { ...row };
  for (const key in out) {
    const value = out[key];
    if (key.endsWith('_at') && typeof value === 'string') out[key] = new Date(value);
  }
  return out as T;
}

/** A tenant's job's status alone, or undefined (another tenant's job is not found either). */
export async function findJobStatus(
  db: DbOrTrx,
  tenant: string,
  jobId: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('jobs')
    .select('status')
    .where('id', '=', jobId)
    .where('tenant', '=', tenant)
    .executeTakeFirst();
  return row?.status;
}

/** `text` as a LIKE pattern that matches it literally (`%`, `_` and `\` escaped). */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * The text search of listJobs: the id starts with `q`, a tag contains it, or a metadata value
 * (a string, number or boolean at any depth, not a key) contains it, all ignoring case. No index
 * serves it: it filters the rows the other conditions leave (the tenant's, through
 * jobs_tenant_created), each metadata at most MAX_METADATA_BYTES.
 */
function textSearch(q: string) {
  const contains = `%${likeLiteral(q)}%`;
  return sql<boolean>`(
    id ilike ${`${likeLiteral(q)}%`}
    or exists (select 1 from unnest(tags) as tag where tag ilike ${contains})
    or exists (
      select 1 from jsonb_path_query(metadata, 'strict $.**') as value
      where jsonb_typeof(value) in ('string', 'number', 'boolean')
        and value #>> '{}' ilike ${contains}
    )
  )`;
}

/** listJobs: status, priority (this level or more urgent), tags (any), text search, sorted and paged. */
export async function listJobRows(
  db: DbOrTrx,
  tenant: string,
  filter: ListJobsFilter,
): Promise<{ rows: JobRow[]; total: number }> {
  let query = db.selectFrom('jobs').where('tenant', '=', tenant);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.priority !== undefined) query = query.where('priority', '<=', filter.priority);
  if (filter.tags && filter.tags.length > 0)
    query = query.where(sql<boolean>`tags && ${sql.val(filter.tags)}::text[]`);
  if (filter.q !== undefined) query = query.where(textSearch(filter.q));
  const total = await query
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const column = SORT_COLUMNS[filter.sortBy];
  const rows = await query
    .selectAll()
    .orderBy(column, (ob) => (filter.sortOrder === 'asc' ? ob.asc() : ob.desc()).nullsLast())
    .orderBy('id', filter.sortOrder)
    .limit(filter.limit)
    .offset(filter.offset)
    .execute();
  return { rows, total: Number(total.n) };
}

export interface StatsRow {
  totalCreated: number;
  totalCompleted: number;
  totalFailed: number;
  totalCancelled: number;
  totalExpired: number;
  totalDeduplicated: number;
  averageProcessingTime: number;
  inputTokens: number;
  outputTokens: number;
  cacheWrite5mTokens: number;
  cacheWrite1hTokens: number;
  cacheReadTokens: number;
  costUsd: number;
  /** The known cost splits summed (a job whose split is unknown adds to costUsd only). */
  cost: CostSplit;
  /** Cache tokens and hit rate over the tenant's results; savedUsd sums the known savings. */
  cache: CacheReport;
  byStatus: Record<string, number>;
  queueDepth: number;
}

/** getJobStats for a tenant: totals (deleted jobs included), jobs by status, queue depth. */
export async function readStats(db: DbOrTrx, tenant: string): Promise<StatsRow> {
  // The tenant's totals are spread over shards: add them up.
  const totals = await db
    .selectFrom('job_stats')
    .select((eb) =>
      STATS_COLUMNS.map((column) =>
        eb.fn.coalesce(eb.fn.sum<number>(column), eb.lit(0)).as(column),
      ),
    )
    .where('tenant', '=', tenant)
    .executeTakeFirst();
  const statuses = await db
    .selectFrom('jobs')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('tenant', '=', tenant)
    .groupBy('status')
    .execute();
  const byStatus: Record<string, number> = {};
  for (const row of statuses) byStatus[row.status] = Number(row.n);
  const count = Number(totals?.processing_time_count ?? 0);
  return {
    totalCreated: Number(totals?.total_created ?? 0),
    totalCompleted: Number(totals?.total_completed ?? 0),
    totalFailed: Number(totals?.total_failed ?? 0),
    totalCancelled: Number(totals?.total_cancelled ?? 0),
    totalExpired: Number(totals?.total_expired ?? 0),
    totalDeduplicated: Number(totals?.total_deduplicated ?? 0),
    averageProcessingTime:
      count === 0 ? 0 : Math.round(Number(totals?.processing_time_ms_sum ?? 0) / count),
    inputTokens: Number(totals?.input_tokens ?? 0),
    outputTokens: Number(totals?.output_tokens ?? 0),
    cacheWrite5mTokens: Number(totals?.cache_write_5m_tokens ?? 0),
    cacheWrite1hTokens: Number(totals?.cache_write_1h_tokens ?? 0),
    cacheReadTokens: Number(totals?.cache_read_tokens ?? 0),
    costUsd: Number(totals?.cost_usd ?? 0),
    cost: costSplitOf(
      roundCost({
        inputUsd: Number(totals?.input_usd ?? 0),
        outputUsd: Number(totals?.output_usd ?? 0),
        cacheWrite5mUsd: Number(totals?.cache_write_5m_usd ?? 0),
        cacheWrite1hUsd: Number(totals?.cache_write_1h_usd ?? 0),
        cacheReadUsd: Number(totals?.cache_read_usd ?? 0),
        webSearchUsd: Number(totals?.web_search_usd ?? 0),
        standardUsd: Number(totals?.standard_usd ?? 0),
      }),
    ),
    cache: cacheReportOf(
      {
        cacheReadTokens: Number(totals?.cache_read_tokens ?? 0),
        cacheWrite5mTokens: Number(totals?.cache_write_5m_tokens ?? 0),
        cacheWrite1hTokens: Number(totals?.cache_write_1h_tokens ?? 0),
      },
      roundUsd(Number(totals?.cache_saved_usd ?? 0)),
    ),
    byStatus,
    queueDepth: (byStatus.pending ?? 0) + (byStatus.queued ?? 0),
  };
}
