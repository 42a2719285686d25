import type { JobEvent, UsageTotals } from '../../domain/job.events.js';
import type { JobState } from '../../domain/job.state.js';
import { NO_COST, webSearchUsdOf } from '../../domain/job-cost.js';
import { PreparedStatement } from '../prepared-statements.js';
import type { Trx } from '../schema/index.js';
import type { ProjectedStep } from './project-job.js';

/** A tenant's totals, each summed over the commits that move it. */
export const STATS_COLUMNS = [
  'total_created',
  'total_completed',
  'total_failed',
  'total_cancelled',
  'total_expired',
  'total_deduplicated',
  'processing_time_ms_sum',
  'processing_time_count',
  'input_tokens',
  'output_tokens',
  'cost_usd',
  'cache_write_5m_tokens',
  'cache_write_1h_tokens',
  'cache_read_tokens',
  'input_usd',
  'output_usd',
  'cache_write_5m_usd',
  'cache_write_1h_usd',
  'cache_read_usd',
  'standard_usd',
  'cache_saved_usd',
  'web_search_usd',
] as const;

/**
 * Rows a tenant's totals are spread over, so that commits of one tenant do not queue on one
 * row's lock. A commit adds to the row of its database session (backend pid modulo this):
 * two transactions running at once are two sessions, so they almost never share a row, where
 * a hash of the job's id had every pair of concurrent commits collide one time in sixteen.
 * Which row holds which part of a total means nothing: readers (and the rebuild's check) sum
 * them per tenant.
 */
export const STATS_SHARDS = 64;

/**
 * The tenant's totals moved by every event of the commit, in one upsert (none when nothing
 * moved). The row it locks is shared with other jobs of the tenant: write it last in the
 * transaction, just before COMMIT.
 */
export async function projectJobStats(trx: Trx, steps: readonly ProjectedStep[]) {
  const { tenant } = steps.at(-1)!.after;
  const total = Object.fromEntries(STATS_COLUMNS.map((c) => [c, 0])) as Record<
    (typeof STATS_COLUMNS)[number],
    number
  >;
  let moved = false;
  for (const { before, event, after } of steps) {
    const change = statsChange(before, event, after);
    if (!change) continue;
    moved = true;
    total.total_created += change.created ?? 0;
    total.total_completed += change.completed ?? 0;
    total.total_failed += change.failed ?? 0;
    total.total_cancelled += change.cancelled ?? 0;
    total.total_expired += change.expired ?? 0;
    total.total_deduplicated += change.deduplicated ?? 0;
    total.processing_time_ms_sum += change.processingMs ?? 0;
    total.processing_time_count += change.processingMs === undefined ? 0 : 1;
    total.input_tokens += change.inputTokens ?? 0;
    total.output_tokens += change.outputTokens ?? 0;
    total.cost_usd += change.costUsd ?? 0;
    total.cache_write_5m_tokens += change.usage?.cacheWrite5mTokens ?? 0;
    total.cache_write_1h_tokens += change.usage?.cacheWrite1hTokens ?? 0;
    total.cache_read_tokens += change.usage?.cacheReadTokens ?? 0;
    // Only known splits are summed (an unpriced model's or an older event's is unknown).
    const cost = change.usage?.cost ?? NO_COST;
    total.input_usd += cost.inputUsd;
    total.output_usd += cost.outputUsd;
    total.cache_write_5m_usd += cost.cacheWrite5mUsd;
    total.cache_write_1h_usd += cost.cacheWrite1hUsd;
    total.cache_read_usd += cost.cacheReadUsd;
    total.standard_usd += cost.standardUsd;
    total.web_search_usd += webSearchUsdOf(cost);
    total.cache_saved_usd += change.usage?.cacheSavedUsd ?? 0;
  }
  if (!moved) return;
  await trx.executeQuery(ADD_TO_STATS.bind([tenant, ...STATS_COLUMNS.map((c) => total[c])]));
}

/** One upsert adding a commit's moves to the tenant's row of this session's shard (built once). */
const ADD_TO_STATS = new PreparedStatement(
  'batchkeeper_add_to_job_stats',
  `insert into job_stats (tenant, shard, ${STATS_COLUMNS.join(', ')})
   values ($1, pg_backend_pid() % ${STATS_SHARDS}, ${STATS_COLUMNS.map((_, i) => `$${i + 2}`).join(', ')})
   on conflict (tenant, shard) do update set
   ${STATS_COLUMNS.map((c) => `${c} = job_stats.${c} + excluded.${c}`).join(', ')}`,
);

interface StatsChange {
  created?: number;
  completed?: number;
  failed?: number;
  cancelled?: number;
  expired?: number;
  deduplicated?: number;
  processingMs?: number;
  inputTokens?: number;
  outputTokens?: number;
  costUsd?: number | null;
  /** A batch's usage: cache tokens and the cost split by kind. */
  usage?: UsageTotals;
}

function statsChange(
  before: JobState | null,
  event: JobEvent,
  after: JobState,
): StatsChange | null {
  const processingMs = () =>
    after.startedAt && after.completedAt
      ? Math.max(0, Date.parse(after.completedAt) - Date.parse(after.startedAt))
      : undefined;
  switch (event.type) {
    case 'JobCreated':
      return { created: 1, deduplicated: after.deduplicatedRequests };
    case 'JobCompleted':
      return { completed: 1, processingMs: processingMs() };
    case 'JobFailed':
      return { failed: 1 };
    case 'JobCancelled':
      return { cancelled: 1 };
    case 'JobExpired':
      return { expired: 1 };
    case 'BatchResultsCollected':
      return {
        inputTokens: after.usage.inputTokens - (before?.usage.inputTokens ?? 0),
        outputTokens: after.usage.outputTokens - (before?.usage.outputTokens ?? 0),
        costUsd: event.data.usage.costUsd,
        usage: event.data.usage,
      };
    default:
      return null;
  }
}
