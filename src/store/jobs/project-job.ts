import { cachePrimingViewOf } from '../../domain/cache-priming.js';
import { ConcurrencyError } from '../../domain/errors.js';
import type { JobEvent } from '../../domain/job.events.js';
import { type BatchState, type JobState, progressOf } from '../../domain/job.state.js';
import type { NewJobRow, Trx } from '../schema/index.js';
import {
  BATCH_ROW_COLUMNS,
  INSERT_JOB_ROW,
  JOB_FENCE,
  JOB_ROW_CHANGE_COLUMNS,
} from './job-row-statements.js';
import { projectJobStats } from './project-job-stats.js';

// job-queries.ts reads the column list from here.
export { STATS_COLUMNS } from './project-job-stats.js';

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
    const row = jobRow(after, step, version);
    const values = JOB_ROW_CHANGE_COLUMNS.map((column) => row[column]);
    await trx.executeQuery(INSERT_JOB_ROW.bind([row.id, row.tenant, ...values]));
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
  const changes = jobRow(state, step, version);
  const parameters: unknown[] = JOB_ROW_CHANGE_COLUMNS.map((column) => changes[column]);
  parameters.push(state.id, expectedVersion);
  const { abandoned, upserts } = batches;
  if (abandoned.length > 0) parameters.push(abandoned);
  for (const [column] of upserts.length > 0 ? BATCH_ROW_COLUMNS : []) {
    parameters.push(upserts.map((row) => row[column]));
  }
  const statement =
    abandoned.length > 0
      ? upserts.length > 0
        ? JOB_FENCE.both
        : JOB_FENCE.abandoned
      : upserts.length > 0
        ? JOB_FENCE.batches
        : JOB_FENCE.plain;
  const result = await trx.executeQuery(statement.bind(parameters));
  return result.rows[0]?.written ?? 0;
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
    cache_write_5m_tokens: state.billed.cacheWrite5mTokens,
    cache_write_1h_tokens: state.billed.cacheWrite1hTokens,
    cache_read_tokens: state.billed.cacheReadTokens,
    cost_split: state.billed.cost === null ? null : JSON.stringify(state.billed.cost),
    cache_saved_usd: state.billed.cacheSavedUsd,
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
    retry_of: state.retryOf,
    retries: state.retries,
    paused_for: state.pausedFor ?? null,
    max_cost_usd: state.maxCostUsd ?? null,
    over_budget: state.overBudget === 'error' ? 'error' : null,
    cache_priming: jsonOrNull(cachePrimingViewOf(state.cachePriming, state.cachePrimes)),
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
        cost_usd: eb.ref('excluded.cost_usd'),
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
    // A snapshot stored before these were kept has no field at all.
    worst_case_usd: batch.worstCaseUsd ?? 0,
    cost_usd: batch.costUsd ?? null,
  };
}

function jsonOrNull(value: object | null): string | null {
  return value === null ? null : JSON.stringify(value);
}
