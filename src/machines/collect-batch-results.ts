import type { JobEvent } from '../domain/job.events.js';
import type { BatchState, JobState } from '../domain/job.state.js';
import { estimateBatchCostUsd } from '../domain/pricing.js';
import {
  attemptsOfBatch,
  type BatchOutcomeCounts,
  countBatchOutcomes,
  insertRequestResults,
  type NewRequestResult,
} from '../store/jobs/request-results.js';
import type { Db } from '../store/schema/index.js';
import type { BatchApi } from './batch-api.port.js';
import { parseSentCustomId } from './job-ids.js';
import type { JobOptions } from './job-options.js';
import { toRequestResult } from './result-outcome.js';

const RESULT_INSERT_CHUNK = 500;

export interface CollectDeps {
  db: Db;
  api: BatchApi;
  options: JobOptions;
}

/**
 * Streams an ended batch's results into the results table, a chunk at a time (memory does not
 * grow with the batch), each with its attempt number, and answers the events that record what
 * they were. Insert-only and keyed by attempt, so collecting again after a crash writes nothing
 * twice.
 */
export async function collectBatchResults(
  deps: CollectDeps,
  state: JobState,
  batch: BatchState,
  now: Date,
): Promise<JobEvent[]> {
  const { db, api, options } = deps;
  const attempts = await attemptsOfBatch(db, state.id, batch.batchKey);
  const ending = state.cancelRequestedAt !== null || now.getTime() >= Date.parse(state.expiresAt);
  let buffer: NewRequestResult[] = [];
  for await (const line of api.results(batch.batchId!)) {
    const sent = parseSentCustomId(line.custom_id);
    const attempt = sent && sent.jobId === state.id ? attempts.of(sent.ordinal) : undefined;
    // A result that is not one of this batch's requests (an adopted batch that was someone else's) is ignored.
    if (!sent || attempt === undefined) continue;
    buffer.push(
      toRequestResult(line, {
        ordinal: sent.ordinal,
        attempt,
        batchKey: batch.batchKey,
        retryAttempts: options.retryAttempts,
        ending,
      }),
    );
    if (buffer.length >= RESULT_INSERT_CHUNK) {
      await insertRequestResults(db, state.id, buffer, now);
      buffer = [];
    }
  }
  await insertRequestResults(db, state.id, buffer, now);
  const counts = await countBatchOutcomes(db, state.id, batch.batchKey);
  return collectedEvents(state, batch, counts, now, options);
}

/** BatchResultsCollected, and RetryScheduled when some outcomes may be sent again. */
function collectedEvents(
  state: JobState,
  batch: BatchState,
  counts: BatchOutcomeCounts,
  now: Date,
  options: JobOptions,
): JobEvent[] {
  const usage = counts.tokensByModel.reduce(
    (sum, t) => ({
      inputTokens: sum.inputTokens + t.inputTokens,
      outputTokens: sum.outputTokens + t.outputTokens,
      costUsd:
        sum.costUsd +
        (estimateBatchCostUsd(t.model, {
          input_tokens: t.inputTokens,
          output_tokens: t.outputTokens,
        }) ?? 0),
    }),
    { inputTokens: 0, outputTokens: 0, costUsd: 0 },
  );
  const at = now.toISOString();
  const events: JobEvent[] = [
    {
      type: 'BatchResultsCollected',
      data: {
        batchKey: batch.batchKey,
        batchId: batch.batchId!,
        succeeded: counts.succeeded,
        errored: counts.errored,
        canceled: counts.canceled,
        expired: counts.expired,
        retryable: counts.retryable,
        usage,
        at,
      },
    },
  ];
  if (counts.retryable > 0) {
    events.push({
      type: 'RetryScheduled',
      data: {
        attempt: state.retryCount + 2,
        requestCount: counts.retryable,
        dueAt: new Date(now.getTime() + options.retryDelayMs).toISOString(),
        at,
      },
    });
  }
  return events;
}
