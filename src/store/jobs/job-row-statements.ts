import { PreparedStatement } from '../prepared-statements.js';

/**
 * The job row's columns a commit writes (all but its id and tenant), in the order jobRow()
 * lists them. The commit's statements are built from this list once, not per commit: the
 * commit path is the engine's hottest, and a 45-column statement compiled by the query
 * builder every time cost more than a tenth of a job's CPU.
 */
export const JOB_ROW_CHANGE_COLUMNS = [
  'status',
  'step',
  'priority',
  'tags',
  'metadata',
  'deduplicate',
  'callback_url',
  'idempotency_key',
  'total_requests',
  'unique_requests',
  'deduplicated_requests',
  'completed',
  'failed',
  'cancelled',
  'expired',
  'in_flight',
  'percent_complete',
  'retry_count',
  'input_tokens',
  'output_tokens',
  'cost_usd',
  'cache_write_5m_tokens',
  'cache_write_1h_tokens',
  'cache_read_tokens',
  'cost_split',
  'cache_saved_usd',
  'batch_ids',
  'error_count',
  'retried_error_count',
  'failure_reason',
  'timeout_ms',
  'created_at',
  'updated_at',
  'queued_at',
  'started_at',
  'completed_at',
  'expires_at',
  'retry_due_at',
  'cancel_requested_at',
  'version',
  'retry_of',
  'retries',
  'paused_for',
  'max_cost_usd',
  'over_budget',
  'cache_priming',
] as const;

/** The batch row's columns a fenced commit upserts, each sent as an array of the rows' values. */
export const BATCH_ROW_COLUMNS = [
  ['batch_key', 'text'],
  ['attempt', 'int'],
  ['request_count', 'int'],
  ['anthropic_batch_id', 'text'],
  ['status', 'text'],
  ['intended_at', 'timestamptz'],
  ['submitted_at', 'timestamptz'],
  ['ended_at', 'timestamptz'],
  ['collected_at', 'timestamptz'],
  ['worst_case_usd', 'float8'],
  ['cost_usd', 'float8'],
] as const;

/** Parameters: the job row's changes, then its id and expected version, then what the variant adds. */
function fenceText(withAbandoned: boolean, withUpserts: boolean): string {
  const columns = JOB_ROW_CHANGE_COLUMNS;
  let n = 0;
  const next = () => `$${++n}`;
  const set = columns.map((column) => `"${column}" = ${next()}`).join(', ');
  const parts = [
    `fence as (update jobs set ${set} where id = ${next()} and version = ${next()} returning id)`,
  ];
  if (withAbandoned) {
    parts.push(`abandoned as (
      delete from job_batches b using fence
      where b.job_id = fence.id and b.batch_key = any(${next()}::text[]))`);
  }
  if (withUpserts) {
    const names = BATCH_ROW_COLUMNS.map(([name]) => name).join(', ');
    const arrays = BATCH_ROW_COLUMNS.map(([, type]) => `${next()}::${type}[]`).join(', ');
    parts.push(`batches as (
      insert into job_batches (job_id, ${names})
      select fence.id, b.* from fence, unnest(${arrays}) as b
      on conflict (job_id, batch_key) do update set
        anthropic_batch_id = excluded.anthropic_batch_id, status = excluded.status,
        submitted_at = excluded.submitted_at, ended_at = excluded.ended_at,
        collected_at = excluded.collected_at, cost_usd = excluded.cost_usd)`);
  }
  return `with ${parts.join(', ')} select count(*)::int as written from fence`;
}

const variant = (abandoned: boolean, upserts: boolean) =>
  new PreparedStatement<{ written: number }>(
    `batchkeeper_job_fence${abandoned ? '_abandoned' : ''}${upserts ? '_batches' : ''}`,
    fenceText(abandoned, upserts),
  );

/** The fenced update of a job row with its batch rows, by what the commit changes. */
export const JOB_FENCE = {
  plain: variant(false, false),
  abandoned: variant(true, false),
  batches: variant(false, true),
  both: variant(true, true),
};

/** A new job's row: its id and tenant, then the columns of JOB_ROW_CHANGE_COLUMNS. */
export const INSERT_JOB_ROW = new PreparedStatement(
  'batchkeeper_insert_job_row',
  `insert into jobs (id, tenant, ${JOB_ROW_CHANGE_COLUMNS.map((c) => `"${c}"`).join(', ')})
   values (${[...JOB_ROW_CHANGE_COLUMNS, 'id', 'tenant'].map((_, i) => `$${i + 1}`).join(', ')})`,
);
