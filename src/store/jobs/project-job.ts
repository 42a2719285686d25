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
 *
 * The job row is written first and only at `expectedVersion`: it is the
 * commit's fence. Every writer of a job takes the row's lock before it
 * touches the log, so two writers never wait on each other's locks in
 * opposite orders, and the one that waited finds the version moved and fails
 * with a ConcurrencyError before it writes anything. `expectedVersion` null
 * means the job has no row yet (its creation, or a rebuild).
 */
export async function projectJobCommit(
  trx: Trx,
  steps: readonly ProjectedStep[],
  step: string | null,
  version: number,
  expectedVersion: number | null,
): Promise<void> {
  const after = steps.at(-1)!.after;
  await writeJobRow(trx, after, step, version, expectedVersion);
  if (!after.deleted) await writeBatchRows(trx, after, touchedBatches(steps));
  else if (expectedVersion !== null)
    await trx.deleteFrom('job_batches').where('job_id', '=', after.id).execute();
  await updateStats(trx, after.tenant, statsShardOf(after.id), steps);
}

async function writeJobRow(
  trx: Trx,
  state: JobState,
  step: string | null,
  version: number,
  expectedVersion: number | null,
): Promise<void> {
  if (expectedVersion === null) {
    if (!state.deleted)
      await trx
        .insertInto('jobs')
        .values(jobRow(state, step, version))
        .execute();
    return;
  }
  const written = state.deleted
    ? await trx
        .deleteFrom('jobs')
        .where('id', '=', state.id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst()
        .then((r) => Number(r.numDeletedRows))
    : await trx
        .updateTable('jobs')
        .set(jobRowChanges(state, step, version))
        .where('id', '=', state.id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst()
        .then((r) => Number(r.numUpdatedRows));
  if (written === 0) throw new ConcurrencyError(state.id, expectedVersion);
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

async function writeBatchRows(trx: Trx, state: JobState, keys: ReadonlySet<string>) {
  if (keys.size === 0) return;
  const batches = state.batches.filter((b) => keys.has(b.batchKey));
  const abandoned = batches.filter((b) => b.status === 'abandoned').map((b) => b.batchKey);
  if (abandoned.length > 0) {
    await trx
      .deleteFrom('job_batches')
      .where('job_id', '=', state.id)
      .where('batch_key', 'in', abandoned)
      .execute();
  }
  const rows = batches.flatMap((b) =>
    b.status === 'abandoned' ? [] : [batchRow(state.id, b, b.status)],
  );
  if (rows.length === 0) return;
  await trx
    .insertInto('job_batches')
    .values(rows)
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

/** Rows a tenant's totals are spread over, so that commits of one tenant do not queue on one row. */
export const STATS_SHARDS = 16;

/** The shard a job adds to: the same for every commit of the job, so rebuilds match. */
export function statsShardOf(jobId: string): number {
  let hash = 0;
  for (let i = 0; i < jobId.length; i++) hash = (hash * 31 + jobId.charCodeAt(i)) | 0;
  return Math.abs(hash) % STATS_SHARDS;
}

/** The tenant's totals moved by every event of the commit, in one upsert (none when nothing moved). */
async function updateStats(
  trx: Trx,
  tenant: string,
  shard: number,
  steps: readonly ProjectedStep[],
) {
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
