import { sql } from 'kysely';
import type { ListJobsFilter } from '../../domain/list-jobs.schema.js';
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

export async function listJobBatches(db: DbOrTrx, jobId: string): Promise<JobBatchRow[]> {
  return db
    .selectFrom('job_batches')
    .selectAll()
    .where('job_id', '=', jobId)
    .orderBy('intended_at')
    .orderBy('batch_key')
    .execute();
}

/** listJobs: status, priority (this level or more urgent), tags (any), sorted and paged. */
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
  costUsd: number;
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
    costUsd: Number(totals?.cost_usd ?? 0),
    byStatus,
    queueDepth: (byStatus.pending ?? 0) + (byStatus.queued ?? 0),
  };
}
