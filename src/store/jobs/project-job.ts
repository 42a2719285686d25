import { sql } from 'kysely';
import type { JobEvent } from '../../domain/job.events.js';
import { type BatchState, type JobState, progressOf } from '../../domain/job.state.js';
import type { NewJobRow, Trx } from '../schema/index.js';

/**
 * Brings the read models up to date with one event: the job row, its batch
 * rows and the tenant's totals. A pure function of (state before, event,
 * state after), so `projections rebuild` replays the log into the same rows.
 */
export async function projectJobEvent(
  trx: Trx,
  before: JobState | null,
  event: JobEvent,
  after: JobState,
  step: string | null,
  version: number,
): Promise<void> {
  if (after.deleted) {
    await trx.deleteFrom('job_batches').where('job_id', '=', after.id).execute();
    await trx.deleteFrom('jobs').where('id', '=', after.id).execute();
  } else {
    await upsertJobRow(trx, jobRow(after, step, version));
  }
  if ('batchKey' in event.data && !after.deleted) {
    const batch = after.batches.find(
      (b) => b.batchKey === (event.data as { batchKey: string }).batchKey,
    );
    if (batch) await upsertBatchRow(trx, after.id, batch);
  }
  await updateStats(trx, before, event, after);
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

async function upsertJobRow(trx: Trx, row: NewJobRow) {
  const { id: _id, ...changes } = row;
  await trx
    .insertInto('jobs')
    .values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet(changes))
    .execute();
}

async function upsertBatchRow(trx: Trx, jobId: string, batch: BatchState) {
  if (batch.status === 'abandoned') {
    await trx
      .deleteFrom('job_batches')
      .where('job_id', '=', jobId)
      .where('batch_key', '=', batch.batchKey)
      .execute();
    return;
  }
  const row = {
    job_id: jobId,
    batch_key: batch.batchKey,
    attempt: batch.attempt,
    request_count: batch.requestCount,
    anthropic_batch_id: batch.batchId,
    status: batch.status,
    intended_at: batch.intendedAt,
    submitted_at: batch.submittedAt,
    ended_at: batch.endedAt,
    collected_at: batch.collectedAt,
  };
  await trx
    .insertInto('job_batches')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['job_id', 'batch_key']).doUpdateSet({
        anthropic_batch_id: row.anthropic_batch_id,
        status: row.status,
        submitted_at: row.submitted_at,
        ended_at: row.ended_at,
        collected_at: row.collected_at,
      }),
    )
    .execute();
}

async function updateStats(trx: Trx, before: JobState | null, event: JobEvent, after: JobState) {
  const change = statsChange(before, event, after);
  if (!change) return;
  await sql`
    insert into job_stats (tenant) values (${after.tenant}) on conflict (tenant) do nothing
  `.execute(trx);
  await trx
    .updateTable('job_stats')
    .set((eb) => ({
      total_created: eb('total_created', '+', change.created ?? 0),
      total_completed: eb('total_completed', '+', change.completed ?? 0),
      total_failed: eb('total_failed', '+', change.failed ?? 0),
      total_cancelled: eb('total_cancelled', '+', change.cancelled ?? 0),
      total_expired: eb('total_expired', '+', change.expired ?? 0),
      total_deduplicated: eb('total_deduplicated', '+', change.deduplicated ?? 0),
      processing_time_ms_sum: eb('processing_time_ms_sum', '+', change.processingMs ?? 0),
      processing_time_count: eb(
        'processing_time_count',
        '+',
        change.processingMs === undefined ? 0 : 1,
      ),
      input_tokens: eb('input_tokens', '+', change.inputTokens ?? 0),
      output_tokens: eb('output_tokens', '+', change.outputTokens ?? 0),
      cost_usd: eb('cost_usd', '+', change.costUsd ?? 0),
    }))
    .where('tenant', '=', after.tenant)
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
