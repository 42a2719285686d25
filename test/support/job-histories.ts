import type { JobEvent } from '../../src/domain/job.events.js';
import { progressOf, unfinishedRequests } from '../../src/domain/job.state.js';
import type { JobSnapshot } from '../../src/machines/job-snapshot.js';

/** A JobCreated for a job of `requests` requests created at `at`. */
export function jobCreated(jobId: string, at: Date, requests = 2, tenant = 'model'): JobEvent {
  return {
    type: 'JobCreated',
    data: {
      jobId,
      tenant,
      priority: 1 + (requests % 5),
      tags: requests % 2 === 0 ? ['even'] : ['odd'],
      metadata: { requests },
      deduplicate: true,
      timeoutMs: 60_000,
      callbackUrl: null,
      idempotencyKey: null,
      totalRequests: requests,
      uniqueRequests: requests,
      deduplicatedRequests: 0,
      createdAt: at.toISOString(),
      expiresAt: new Date(at.getTime() + 60_000).toISOString(),
    },
  };
}

/**
 * One plausible event of every type for a job in `snapshot`, consistent with
 * its batches (an event about a batch names one in the right step). The
 * machine decides which of them may happen; this only proposes.
 */
export function candidateEvents(snapshot: JobSnapshot, jobId: string, at: Date): JobEvent[] {
  const job = snapshot.context.job;
  const iso = at.toISOString();
  if (!job) return [jobCreated(jobId, at)];
  const batchOf = (status: string) => job.batches.find((b) => b.status === status);
  const unfinished = unfinishedRequests(job);
  const events: JobEvent[] = [
    { type: 'JobQueued', data: { at: iso } },
    { type: 'JobStarted', data: { at: iso, instanceId: 'model-instance' } },
    { type: 'JobPaused', data: { at: iso } },
    { type: 'JobPaused', data: { at: iso, reason: 'budget' } },
    { type: 'JobPaused', data: { at: iso, reason: 'tenant-budget', neededUsd: 0.01 } },
    {
      type: 'RequestsEndedOverBudget',
      data: { at: iso, requestCount: Math.max(0, unfinished - job.inFlight) },
    },
    { type: 'JobResumed', data: { at: iso } },
    { type: 'JobBudgetChanged', data: { at: iso, maxCostUsd: job.maxCostUsd === null ? 1 : null } },
    { type: 'JobCancellationRequested', data: { at: iso } },
    { type: 'JobCancelled', data: { at: iso, unfinished } },
    { type: 'JobCompleted', data: { at: iso, progress: progressOf(job) } },
    { type: 'JobFailed', data: { at: iso, reason: 'model failure', unfinished } },
    { type: 'JobExpired', data: { at: iso, unfinished } },
    { type: 'JobDeleted', data: { at: iso } },
    { type: 'ProgressRecorded', data: { at: iso, progress: progressOf(job) } },
    {
      type: 'RequestOutcomeRecorded',
      data: { at: iso, customId: 'by-hand', resultType: 'succeeded' },
    },
    {
      type: 'RetryScheduled',
      data: { at: iso, attempt: job.retryCount + 2, requestCount: 1, dueAt: iso },
    },
    {
      type: 'JobRetried',
      data: { at: iso, retryJobId: `${jobId}-retry-${job.retries.length + 1}`, requestCount: 1 },
    },
  ];
  if (unfinished > job.inFlight) {
    const batchKey = `b${job.batches.length + 1}`;
    events.push({
      type: 'BatchSubmissionIntended',
      data: { at: iso, batchKey, attempt: job.retryCount + 1, requestCount: 1, worstCaseUsd: 0.01 },
    });
  }
  const intended = batchOf('intended');
  if (intended) {
    events.push(
      {
        type: 'BatchSubmitted',
        data: {
          at: iso,
          batchKey: intended.batchKey,
          batchId: `msgbatch_${jobId}_${intended.batchKey}`,
        },
      },
      {
        type: 'BatchSubmissionAbandoned',
        data: { at: iso, batchKey: intended.batchKey, reason: 'model' },
      },
    );
  }
  const submitted = batchOf('submitted');
  if (submitted) {
    events.push({
      type: 'BatchEnded',
      data: { at: iso, batchKey: submitted.batchKey, batchId: submitted.batchId! },
    });
  }
  const ended = batchOf('ended');
  if (ended) {
    events.push({
      type: 'BatchResultsCollected',
      data: {
        at: iso,
        batchKey: ended.batchKey,
        batchId: ended.batchId!,
        succeeded: ended.requestCount,
        errored: 0,
        canceled: 0,
        expired: 0,
        retryable: 0,
        usage: { inputTokens: 10, outputTokens: 20, costUsd: 0.0001 },
      },
    });
  }
  return events;
}

/** The events of `candidates` the machine accepts now. */
export function acceptedEvents(snapshot: JobSnapshot, candidates: JobEvent[]): JobEvent[] {
  return candidates.filter((event) => snapshot.can(event));
}

/** A small deterministic random source (tests must be repeatable). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}
