import { VERSION_SENT_BEFORE_IT_WAS_RECORDED } from './anthropic-api/api-version.js';
import { evolveCachePrimes } from './cache-primes.js';
import type { JobEvent } from './job.events.js';
import { STATUS_AFTER } from './job.events.js';
import type { BatchState, JobState } from './job.state.types.js';
import { addBilledUsage, NO_BILLED_USAGE, roundUsd } from './job-cost.js';

/**
 * A job's state: its shape (job.state.types.ts), how each event changes it (evolve, here) and what
 * it says once read (job.state.views.ts). Both are re-exported: this module is the one to import.
 */
export type { BatchState, BatchStatus, JobState } from './job.state.types.js';
export { budgetUseOf, openBatches, progressOf, unfinishedRequests } from './job.state.views.js';

/** Applies one event to a job's state; pure. The first event must be JobCreated. */
export function evolve(state: JobState | null, event: JobEvent): JobState {
  if (event.type === 'JobCreated') {
    const d = event.data;
    return {
      id: d.jobId,
      tenant: d.tenant,
      status: 'pending',
      priority: d.priority,
      tags: d.tags,
      metadata: d.metadata,
      deduplicate: d.deduplicate,
      timeoutMs: d.timeoutMs,
      callbackUrl: d.callbackUrl,
      idempotencyKey: d.idempotencyKey,
      anthropicVersion: d.anthropicVersion ?? VERSION_SENT_BEFORE_IT_WAS_RECORDED,
      totalRequests: d.totalRequests,
      uniqueRequests: d.uniqueRequests,
      deduplicatedRequests: d.deduplicatedRequests,
      // Requests dropped by validation are final errors from the start.
      outcomes: { completed: 0, failed: d.droppedRequests ?? 0, cancelled: 0, expired: 0 },
      inFlight: 0,
      awaitingRetry: 0,
      retryCount: 0,
      batches: [],
      usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
      billed: NO_BILLED_USAGE,
      errorCount: d.droppedRequests ?? 0,
      retriedErrorCount: 0,
      failureReason: null,
      reportedProgress: null,
      createdAt: d.createdAt,
      updatedAt: d.createdAt,
      queuedAt: null,
      startedAt: null,
      completedAt: null,
      expiresAt: d.expiresAt,
      retryDueAt: null,
      cancelRequestedAt: null,
      owner: null,
      deleted: false,
      retryOf: d.retryOf ?? null,
      retries: [],
      maxCostUsd: d.maxCostUsd ?? null,
      pausedFor: null,
      budgetNeededUsd: null,
      overBudget: d.overBudget ?? 'pause',
      cachePriming: d.cachePriming ?? 'off',
      cachePrimes: [],
    };
  }
  if (!state) throw new Error(`a job's first event must be JobCreated, not ${event.type}`);
  const next: JobState = {
    ...state,
    updatedAt: event.data.at,
    status: STATUS_AFTER[event.type] ?? state.status,
    cachePrimes: evolveCachePrimes(state.cachePrimes ?? [], event),
  };
  switch (event.type) {
    case 'JobQueued':
      return { ...next, queuedAt: event.data.at };
    case 'JobStarted':
      return { ...next, startedAt: state.startedAt ?? event.data.at, owner: event.data.instanceId };
    case 'BatchSubmissionIntended': {
      const { batchKey, attempt, requestCount, at, worstCaseUsd } = event.data;
      const batch: BatchState = {
        batchKey,
        batchId: null,
        attempt,
        requestCount,
        status: 'intended',
        adopted: false,
        intendedAt: at,
        submittedAt: null,
        endedAt: null,
        resultsUrl: null,
        collectedAt: null,
        worstCaseUsd: worstCaseUsd ?? 0,
        costUsd: null,
      };
      const retried = attempt > 1 ? requestCount : 0;
      return {
        ...next,
        batches: [...state.batches, batch],
        inFlight: state.inFlight + requestCount,
        awaitingRetry: Math.max(0, state.awaitingRetry - retried),
        retryDueAt: null,
      };
    }
    case 'BatchSubmitted':
      return updateBatch(next, event.data.batchKey, (b) => ({
        ...b,
        batchId: event.data.batchId,
        status: 'submitted',
        adopted: event.data.adopted === true,
        submittedAt: event.data.at,
      }));
    case 'BatchSubmissionAbandoned': {
      const batch = state.batches.find((b) => b.batchKey === event.data.batchKey);
      const returned = batch?.requestCount ?? 0;
      const back = updateBatch(next, event.data.batchKey, (b) => ({ ...b, status: 'abandoned' }));
      return {
        ...back,
        inFlight: state.inFlight - returned,
        awaitingRetry: state.awaitingRetry + (batch && batch.attempt > 1 ? returned : 0),
      };
    }
    case 'BatchEnded':
      return updateBatch(next, event.data.batchKey, (b) => ({
        ...b,
        batchId: event.data.batchId,
        status: 'ended',
        endedAt: event.data.at,
        resultsUrl: event.data.resultsUrl ?? null,
      }));
    case 'BatchResultsCollected': {
      const d = event.data;
      const batch = state.batches.find((b) => b.batchKey === d.batchKey);
      const collected = updateBatch(next, d.batchKey, (b) => ({
        ...b,
        status: 'collected',
        collectedAt: d.at,
        costUsd: d.usage.costUsd,
      }));
      return {
        ...collected,
        inFlight: Math.max(0, state.inFlight - (batch?.requestCount ?? 0)),
        awaitingRetry: state.awaitingRetry + d.retryable,
        outcomes: {
          completed: state.outcomes.completed + d.succeeded,
          failed: state.outcomes.failed + d.errored,
          cancelled: state.outcomes.cancelled + d.canceled,
          expired: state.outcomes.expired + d.expired,
        },
        errorCount: state.errorCount + d.errored + d.retryable,
        retriedErrorCount: state.retriedErrorCount + d.retryable,
        usage: {
          inputTokens: state.usage.inputTokens + d.usage.inputTokens,
          outputTokens: state.usage.outputTokens + d.usage.outputTokens,
          // One result of a model with no price makes the whole cost unknown.
          costUsd:
            state.usage.costUsd === null || d.usage.costUsd === null
              ? null
              : roundUsd(state.usage.costUsd + d.usage.costUsd),
        },
        billed: addBilledUsage(state.billed, d.usage),
      };
    }
    case 'RetryScheduled':
      return { ...next, retryCount: state.retryCount + 1, retryDueAt: event.data.dueAt };
    case 'ProgressRecorded':
      return { ...next, reportedProgress: event.data.progress };
    case 'RequestOutcomeRecorded': {
      const succeeded = event.data.resultType === 'succeeded';
      return {
        ...next,
        outcomes: {
          ...state.outcomes,
          completed: state.outcomes.completed + (succeeded ? 1 : 0),
          failed: state.outcomes.failed + (succeeded ? 0 : 1),
        },
        errorCount: state.errorCount + (succeeded ? 0 : 1),
      };
    }
    case 'JobPaused':
      return {
        ...next,
        pausedFor: event.data.reason ?? 'caller',
        budgetNeededUsd: event.data.neededUsd ?? null,
      };
    case 'JobResumed':
      return { ...next, pausedFor: null, budgetNeededUsd: null };
    case 'RequestsEndedOverBudget':
      // Every request without an outcome and not on its way, retries due included, ended.
      return {
        ...next,
        outcomes: { ...state.outcomes, failed: state.outcomes.failed + event.data.requestCount },
        errorCount: state.errorCount + event.data.requestCount,
        awaitingRetry: 0,
        retryDueAt: null,
      };
    case 'JobBudgetChanged':
      return { ...next, maxCostUsd: event.data.maxCostUsd };
    case 'JobCancellationRequested':
      return { ...next, cancelRequestedAt: event.data.at };
    case 'JobCancelled':
      return finish(next, event.data.at, { cancelled: event.data.unfinished });
    case 'JobExpired':
      return finish(next, event.data.at, { expired: event.data.unfinished });
    case 'JobFailed':
      return {
        ...finish(next, event.data.at, { failed: event.data.unfinished }),
        failureReason: event.data.reason,
      };
    case 'JobCompleted':
      return { ...finish(next, event.data.at, {}), reportedProgress: event.data.progress };
    case 'JobDeleted':
      return { ...next, deleted: true };
    case 'JobRetried':
      return { ...next, retries: [...state.retries, event.data.retryJobId] };
    default: {
      const unknownEvent: never = event;
      throw new Error(`unknown job event ${(unknownEvent as JobEvent).type}`);
    }
  }
}

function finish(state: JobState, at: string, unfinished: Partial<JobState['outcomes']>): JobState {
  return {
    ...state,
    completedAt: at,
    inFlight: 0,
    awaitingRetry: 0,
    retryDueAt: null,
    reportedProgress: null,
    outcomes: {
      completed: state.outcomes.completed + (unfinished.completed ?? 0),
      failed: state.outcomes.failed + (unfinished.failed ?? 0),
      cancelled: state.outcomes.cancelled + (unfinished.cancelled ?? 0),
      expired: state.outcomes.expired + (unfinished.expired ?? 0),
    },
  };
}

function updateBatch(
  state: JobState,
  batchKey: string,
  change: (b: BatchState) => BatchState,
): JobState {
  return { ...state, batches: state.batches.map((b) => (b.batchKey === batchKey ? change(b) : b)) };
}
