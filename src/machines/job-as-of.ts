import { cachePrimingViewOf } from '../domain/cache-priming.js';
import { ValidationError } from '../domain/errors.js';
import type { JobState } from '../domain/job.state.js';
import type { RecordedEvent } from '../store/event-store.types.js';
import { jobRow } from '../store/jobs/project-job.js';
import type { JobBatchRow, JobRow } from '../store/schema/index.js';
import { applyEvents, emptySnapshot, type JobSnapshot, stepOf } from './job-snapshot.js';
import { toJobEvent } from './job-store.js';
import { type BatchView, type JobView, rowToBatchView, rowToJobView } from './job-views.js';

/** Which event a view is "as of", and what in it is not: per-request details are as of now. */
export interface AsOfMarker {
  version: number;
  /** When event `version` was recorded. */
  at: string;
  /** Details only the request tables know (the recent errors) are today's, not the event's. */
  requestDetails: 'current';
}

/** A job right after one of its events: the machine's snapshot and what getJob would show. */
export interface JobAsOf {
  snapshot: JobSnapshot;
  state: JobState;
  view: JobView & { batches: BatchView[] };
  asOf: AsOfMarker;
}

/**
 * The job as it was right after event `version`: the first `version` events folded through
 * the job machine (the same `evolve` every commit runs) and shown as the projection would
 * have shown that state. A version below 1 or past the log's end is a ValidationError naming
 * `asOf`.
 */
export function jobAsOf(events: readonly RecordedEvent[], version: number): JobAsOf {
  assertAsOfInRange(version, events.length);
  const taken = events.slice(0, version);
  const snapshot = applyEvents(emptySnapshot(), taken.map(toJobEvent));
  const state = snapshot.context.job!;
  const step = stepOf(snapshot);
  return {
    snapshot,
    state,
    view: { ...rowToJobView(rowOfState(state, step, version)), batches: batchViewsOf(state) },
    asOf: {
      version,
      at: taken.at(-1)!.recordedAt.toISOString(),
      requestDetails: 'current',
    },
  };
}

/** Refuses an `asOf` outside 1..`length` (the job's last version), naming the parameter. */
export function assertAsOfInRange(version: number, length: number): void {
  if (Number.isSafeInteger(version) && version >= 1 && version <= length) return;
  const message = `asOf must be a version from 1 to ${length} (the job's last event), not ${version}`;
  throw new ValidationError(`invalid query parameters: asOf: ${message}`, [
    { path: 'asOf', message },
  ]);
}

/** The job row the projection writes for this state, read back as the database would give it. */
function rowOfState(state: JobState, step: string | null, version: number): JobRow {
  const row = jobRow(state, step, version);
  return {
    ...row,
    metadata: state.metadata,
    step: row.step ?? null,
    callback_url: row.callback_url ?? null,
    idempotency_key: row.idempotency_key ?? null,
    failure_reason: row.failure_reason ?? null,
    retried_error_count: row.retried_error_count ?? 0,
    retry_of: row.retry_of ?? null,
    retries: row.retries ?? [],
    paused_for: row.paused_for ?? null,
    max_cost_usd: row.max_cost_usd ?? null,
    over_budget: row.over_budget ?? null,
    cost_usd: row.cost_usd ?? null,
    cache_write_5m_tokens: state.billed.cacheWrite5mTokens,
    cache_write_1h_tokens: state.billed.cacheWrite1hTokens,
    cache_read_tokens: state.billed.cacheReadTokens,
    cost_split: state.billed.cost,
    cache_priming: cachePrimingViewOf(state.cachePriming, state.cachePrimes),
    cache_saved_usd: state.billed.cacheSavedUsd,
    created_at: new Date(row.created_at),
    updated_at: new Date(row.updated_at),
    queued_at: dateOrNull(row.queued_at),
    started_at: dateOrNull(row.started_at),
    completed_at: dateOrNull(row.completed_at),
    expires_at: new Date(row.expires_at),
    retry_due_at: dateOrNull(row.retry_due_at),
    cancel_requested_at: dateOrNull(row.cancel_requested_at),
  };
}

/** The batches' rows as the projection keeps them (abandoned ones dropped), in getJob's order. */
function batchViewsOf(state: JobState): BatchView[] {
  const rows: JobBatchRow[] = [];
  for (const batch of state.batches) {
    if (batch.status === 'abandoned') continue;
    rows.push({
      job_id: state.id,
      batch_key: batch.batchKey,
      attempt: batch.attempt,
      request_count: batch.requestCount,
      anthropic_batch_id: batch.batchId,
      status: batch.status,
      intended_at: new Date(batch.intendedAt),
      submitted_at: dateOrNull(batch.submittedAt),
      ended_at: dateOrNull(batch.endedAt),
      collected_at: dateOrNull(batch.collectedAt),
      worst_case_usd: batch.worstCaseUsd ?? 0,
      cost_usd: batch.costUsd ?? null,
    });
  }
  rows.sort(
    (a, b) =>
      a.intended_at.getTime() - b.intended_at.getTime() || a.batch_key.localeCompare(b.batch_key),
  );
  return rows.map(rowToBatchView);
}

function dateOrNull(value: Date | string | null | undefined): Date | null {
  return value === null || value === undefined ? null : new Date(value);
}
