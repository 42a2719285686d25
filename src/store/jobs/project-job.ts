import { sql } from 'kysely';
import { ConcurrencyError } from '../../domain/errors.js';
import type { JobEvent } from '../../domain/job.events.js';
import { type BatchState, type JobState, progressOf } from '../../domain/job.state.js';
import type { NewJobRow, Trx } from '../schema/index.js';

/** One event of a commit with the states on either side of it. */
export interface ProjectedStep {
  before: JobState | null;
  event: JobEvent;
  after: JobState;
}

/**
 * Brings the read models up to date with one commit: the job row and the rows
 * of the batches its events touched, each written once, and the tenant's
 * totals in one statement. A pure function of the events and the states they
 * lead through, so `projections rebuild` replays the log into the same rows.
 * Writers call its two halves apart (projectJobRows first, projectJobStats
 * last), so that the totals' row lock is held for as short a time as can be.
 */
export async function projectJobCommit(
  trx: Trx,
  steps: readonly ProjectedStep[],
  step: string | null,
  version: number,
  expectedVersion: number | null,
): Promise<void> {
  await projectJobRows(trx, steps, step, version, expectedVersion);
  await projectJobStats(trx, steps);
}

/**
 * The job row and its batches' rows, in one statement. The job row is written
 * only at `expectedVersion`: it is the commit's fence. Every writer of a job
 * takes the row's lock before it touches the log, so two writers never wait
 * on each other's locks in opposite orders, and the one that waited finds the
 * version moved and fails with a ConcurrencyError before it writes anything.
 * `expectedVersion` null means the job has no row yet (its creation, or a rebuild).
 */
export async function projectJobRows(
  trx: Trx,
  steps: readonly ProjectedStep[],
  step: string | null,
  version: number,
  expectedVersion: number | null,
): Promise<void> {
  const after = steps.at(-1)!.after;
  if (after.deleted) {
    await deleteJobRows(trx, after.id, expectedVersion);
    return;
  }
  const batches = batchChanges(after, touchedBatches(steps));
  if (expectedVersion === null) {
    await trx
      .insertInto('jobs')
      .values(jobRow(after, step, version))
      .execute();
    if (batches.upserts.length > 0) await upsertBatchRows(trx, batches.upserts);
    return;
  }
  const written = await updateJobAndBatchRows(trx, after, step, version, expectedVersion, batches);
  if (written === 0) throw new ConcurrencyError(after.id, expectedVersion);
}

/** The job's row and batch rows gone (a deleted job), the row only at `expectedVersion`. */
async function deleteJobRows(trx: Trx, jobId: string, expectedVersion: number | null) {
  if (expectedVersion === null) return;
  const deleted = await trx
    .deleteFrom('jobs')
    .where('id', '=', jobId)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  if (Number(deleted.numDeletedRows) === 0) throw new ConcurrencyError(jobId, expectedVersion);
  await trx.deleteFrom('job_batches').where('job_id', '=', jobId).execute();
}

interface BatchChanges {
  upserts: ReturnType<typeof batchRow>[];
  abandoned: string[];
}

function batchChanges(state: JobState, keys: ReadonlySet<string>): BatchChanges {
  const changes: BatchChanges = { upserts: [], abandoned: [] };
  for (const batch of state.batches) {
    if (!keys.has(batch.batchKey)) continue;
    if (batch.status === 'abandoned') changes.abandoned.push(batch.batchKey);
    else changes.upserts.push(batchRow(state.id, batch, batch.status));
  }
  return changes;
}

/**
 * The fenced update of the job row with its batch rows, as one statement: the
 * batch writes read the fence's output, so the job row is locked first and
 * nothing is written when the version moved. Answers how many job rows it wrote.
 */
async function updateJobAndBatchRows(
  trx: Trx,
  state: JobState,
  step: string | null,
  version: number,
  expectedVersion: number,
  batches: BatchChanges,
): Promise<number> {
  const changes = Object.entries(jobRowChanges(state, step, version));
  const set = sql.join(changes.map(([column, value]) => sql`${sql.ref(column)} = ${value}`));
  const fence = sql`update jobs set ${set}
    where id = ${state.id} and version = ${expectedVersion} returning id`;
  const parts = [sql`fence as (${fence})`];
  if (batches.abandoned.length > 0) {
    parts.push(sql`abandoned as (
      delete from job_batches b using fence
      where b.job_id = fence.id and b.batch_key = any(${batches.abandoned}::text[]))`);
  }
  if (batches.upserts.length > 0) {
    const rows = batches.upserts;
    parts.push(sql`batches as (
      insert into job_batches (job_id, batch_key, attempt, request_count, anthropic_batch_id,
                               status, intended_at, submitted_at, ended_at, collected_at)
      select fence.id, b.* from fence, unnest(
        ${rows.map((r) => r.batch_key)}::text[], ${rows.map((r) => r.attempt)}::int[],
        ${rows.map((r) => r.request_count)}::int[], ${rows.map((r) => r.anthropic_batch_id)}::text[],
        ${rows.map((r) => r.status)}::text[], ${rows.map((r) => r.intended_at)}::timestamptz[],
        ${rows.map((r) => r.submitted_at)}::timestamptz[], ${rows.map((r) => r.ended_at)}::timestamptz[],
        ${rows.map((r) => r.collected_at)}::timestamptz[]) as b
      on conflict (job_id, batch_key) do update set
        anthropic_batch_id = excluded.anthropic_batch_id, status = excluded.status,
        submitted_at = excluded.submitted_at, ended_at = excluded.ended_at,
        collected_at = excluded.collected_at)`);
  }
  const result = await sql<{ written: number }>`
    with ${sql.join(parts)} select count(*)::int as written from fence`.execute(trx);
  return result.rows[0]?.written ?? 0;
}

function jobRowChanges(state: JobState, step: string | null, version: number) {
  const { id: _id, tenant: _tenant, ...changes } = jobRow(state, step, version);
  return changes;
}

function touchedBatches(steps: readonly ProjectedStep[]): Set<string> {
  const keys = new Set<string>();
  for (const { event } of steps) if ('batchKey' in event.data) keys.add(event.data.batchKey);
  return keys;
}

/** The job list row for a state. */
export function jobRow(state: JobState, step: string | null, version: number): NewJobRow {
  const progress = progressOf(state);
  return {
    id: state.id,
    tenant: state.tenant,
    status: state.status,
    step,
    priority: state.priority,
    tags: state.tags,
    metadata: JSON.stringify(state.metadata),
    deduplicate: state.deduplicate,
    callback_url: state.callbackUrl,
    idempotency_key: state.idempotencyKey,
    total_requests: state.totalRequests,
    unique_requests: state.uniqueRequests,
    deduplicated_requests: state.deduplicatedRequests,
    completed: progress.completed,
    failed: progress.failed,
    cancelled: progress.cancelled,
    expired: progress.expired,
    in_flight: progress.processing,
    percent_complete: progress.percentComplete,
    retry_count: state.retryCount,
    input_tokens: state.usage.inputTokens,
    output_tokens: state.usage.outputTokens,
    cost_usd: state.usage.costUsd,
    batch_ids: state.batches.flatMap((b) => (b.batchId ? [b.batchId] : [])),
    error_count: state.errorCount,
    retried_error_count: state.retriedErrorCount,
    failure_reason: state.failureReason,
    timeout_ms: state.timeoutMs,
    created_at: state.createdAt,
    updated_at: state.updatedAt,
    queued_at: state.queuedAt,
    started_at: state.startedAt,
    completed_at: state.completedAt,
    expires_at: state.expiresAt,
    retry_due_at: state.retryDueAt,
    cancel_requested_at: state.cancelRequestedAt,
    version,
  };
}

/** Batch rows of a job whose row was just inserted (a rebuild replays them so). */
async function upsertBatchRows(trx: Trx, rows: readonly ReturnType<typeof batchRow>[]) {
  await trx
    .insertInto('job_batches')
    .values([...rows])
    .onConflict((oc) =>
      oc.columns(['job_id', 'batch_key']).doUpdateSet((eb) => ({
        anthropic_batch_id: eb.ref('excluded.anthropic_batch_id'),
        status: eb.ref('excluded.status'),
        submitted_at: eb.ref('excluded.submitted_at'),
        ended_at: eb.ref('excluded.ended_at'),
        collected_at: eb.ref('excluded.collected_at'),
      })),
    )
    .execute();
}

function batchRow(
  jobId: string,
  batch: BatchState,
  status: Exclude<BatchState['status'], 'abandoned'>,
) {
  return {
    job_id: jobId,
    batch_key: batch.batchKey,
    attempt: batch.attempt,
    request_count: batch.requestCount,
    anthropic_batch_id: batch.batchId,
    status,
    intended_at: batch.intendedAt,
    submitted_at: batch.submittedAt,
    ended_at: batch.endedAt,
    collected_at: batch.collectedAt,
  };
}

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
  const shard = sql<number>`pg_backend_pid() % ${sql.lit(STATS_SHARDS)}`;
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
  }
  if (!moved) return;
  await trx
    .insertInto('job_stats')
    .values({ tenant, shard, ...total })
    .onConflict((oc) =>
      oc
        .columns(['tenant', 'shard'])
        .doUpdateSet((eb) =>
          Object.fromEntries(
            STATS_COLUMNS.map((c) => [
              c,
              eb(eb.ref(`job_stats.${c}`), '+', eb.ref(`excluded.${c}`)),
            ]),
          ),
        ),
    )
    .execute();
}

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
  costUsd?: number;
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
      };
    default:
      return null;
  }
}
