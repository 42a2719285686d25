import { storedBatchResultsDigest } from '../audit/batch-results-digest.js';
import { ResultsDigest } from '../audit/results-digest.js';
import type { JobEvent, UsageTotals } from '../domain/job.events.js';
import type { BatchState, JobState } from '../domain/job.state.js';
import { UsageTally } from '../domain/job-cost.js';
import type { JobOptions } from '../domain/job-options.js';
import { readBatchResultUsages } from '../store/jobs/batch-result-usages.js';
import {
  attemptsOfBatch,
  type BatchOutcomeCounts,
  countBatchOutcomes,
  insertRequestResults,
  type NewRequestResult,
} from '../store/jobs/request-results.js';
import type { Db } from '../store/schema/index.js';
import type { BatchApi, RemoteResult } from './batch-api.port.js';
import { batchCacheSavedUsd } from './batch-cache-saving.js';
import { parseSentCustomId } from './job-ids.js';
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
 * twice. The outcomes are counted as they stream by; only when some row was already stored
 * (a collection cut short before, a result recorded by hand) are they counted from the table.
 */
export async function collectBatchResults(
  deps: CollectDeps,
  state: JobState,
  batch: BatchState,
  now: Date,
): Promise<JobEvent[]> {
  const { db, api, options } = deps;
  const attemptOf = await attemptLookup(db, state, batch);
  const ending = state.cancelRequestedAt !== null || now.getTime() >= Date.parse(state.expiresAt);
  const counts = emptyCounts();
  const tally = new UsageTally(options.priceTable);
  let allNew = true;
  // What the event accounts for, in the hash chain (docs/audit.md).
  const digest = new ResultsDigest();
  let buffer: NewRequestResult[] = [];
  const flush = async () => {
    if ((await insertRequestResults(db, state.id, buffer, now)) < buffer.length) allNew = false;
    buffer = [];
  };
  const resultsUrl = batch.resultsUrl ?? undefined;
  for await (const line of api.results(batch.batchId!, { resultsUrl })) {
    const sent = parseSentCustomId(line.custom_id);
    const attempt = sent && sent.jobId === state.id ? attemptOf(sent.ordinal) : undefined;
    // A result that is not one of this batch's requests (an adopted batch that was someone else's) is ignored.
    if (!sent || attempt === undefined) continue;
    const result = toRequestResult(line, {
      ordinal: sent.ordinal,
      attempt,
      batchKey: batch.batchKey,
      retryAttempts: options.retryAttempts,
      ending,
    });
    count(counts, result, line, tally);
    digest.add(result);
    buffer.push(result);
    if (buffer.length >= RESULT_INSERT_CHUNK) await flush();
  }
  await flush();
  const stored = allNew ? counts : await countBatchOutcomes(db, state.id, batch.batchKey);
  const totals = allNew ? tally.totals() : await storedUsage(db, state.id, batch, options);
  const usage: UsageTotals = {
    ...totals,
    cacheSavedUsd: await batchCacheSavedUsd(
      db,
      state.id,
      batch.batchKey,
      totals.cacheReadTokens ?? 0,
      options.priceTable,
    ),
  };
  const resultsDigest = allNew
    ? digest.digest()
    : (await storedBatchResultsDigest(db, state.id, batch.batchKey)).digest;
  return collectedEvents(state, batch, stored, usage, now, options, resultsDigest);
}

/**
 * Which attempt each request of the batch is on. A first, non-adopted batch holds requests
 * sent for the first time, all of this job's that are not duplicates: no query is needed.
 */
async function attemptLookup(
  db: Db,
  state: JobState,
  batch: BatchState,
): Promise<(ordinal: number) => number | undefined> {
  if (batch.attempt === 1 && !batch.adopted) {
    return (ordinal) => (ordinal >= 0 && ordinal < state.totalRequests ? 1 : undefined);
  }
  const attempts = await attemptsOfBatch(db, state.id, batch.batchKey);
  return (ordinal) => attempts.of(ordinal);
}

/** The usage of the batch's results as stored (some were stored before this collection). */
async function storedUsage(
  db: Db,
  jobId: string,
  batch: BatchState,
  options: JobOptions,
): Promise<UsageTotals> {
  const tally = new UsageTally(options.priceTable);
  for (const r of await readBatchResultUsages(db, jobId, batch.batchKey)) {
    tally.add(r.model, r.usage);
  }
  return tally.totals();
}

function emptyCounts(): BatchOutcomeCounts {
  return { succeeded: 0, errored: 0, canceled: 0, expired: 0, retryable: 0, tokensByModel: [] };
}

function count(
  counts: BatchOutcomeCounts,
  result: NewRequestResult,
  line: RemoteResult,
  tally: UsageTally,
): void {
  if (!result.final) counts.retryable += 1;
  else counts[result.resultType] += 1;
  // Only a success is billed; usage is priced result by result (tokensByModel is not used here).
  if (result.resultType === 'succeeded' && line.result.type === 'succeeded') {
    tally.add(line.result.message.model ?? '', line.result.message.usage);
  }
}

/** BatchResultsCollected, and RetryScheduled when some outcomes may be sent again. */
function collectedEvents(
  state: JobState,
  batch: BatchState,
  counts: BatchOutcomeCounts,
  usage: UsageTotals,
  now: Date,
  options: JobOptions,
  resultsDigest: string,
): JobEvent[] {
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
        resultsDigest,
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
