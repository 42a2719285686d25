import { describe, expect, it } from 'vitest';
import { evolve, openBatches, progressOf, unfinishedRequests } from '../../src/domain/job.state.js';
import { NO_BILLED_USAGE } from '../../src/domain/job-cost.js';
import {
  abandoned,
  aCompletedJob,
  aJobWithABatchAtAnthropic,
  aJobWithEverythingCollected,
  aProcessingJob,
  aQueuedJob,
  batchIdOf,
  cancellationRequested,
  cancelled,
  collected,
  completed,
  created,
  deleted,
  ended,
  expired,
  failed,
  HOUR_S,
  intended,
  iso,
  JOB,
  outcomeRecorded,
  paused,
  progress,
  progressRecorded,
  queued,
  resumed,
  retryScheduled,
  started,
  stateAfter,
  submitted,
  TENANT,
} from './job-specification.js';

describe('a new job (JobCreated)', () => {
  it('is pending, with its config, nothing sent and nothing done', () => {
    expect(stateAfter(created())).toEqual({
      id: JOB,
      tenant: TENANT,
      status: 'pending',
      priority: 3,
      tags: ['spec'],
      metadata: {},
      deduplicate: true,
      timeoutMs: HOUR_S * 1000,
      callbackUrl: null,
      idempotencyKey: null,
      // Not in the event: a job from before versions were recorded, sent under the SDK's default.
      anthropicVersion: '2026-10-21',
      totalRequests: 3,
      uniqueRequests: 3,
      deduplicatedRequests: 0,
      outcomes: { completed: 0, failed: 0, cancelled: 0, expired: 0 },
      inFlight: 0,
      awaitingRetry: 0,
      retryCount: 0,
      batches: [],
      usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
      billed: NO_BILLED_USAGE,
      errorCount: 0,
      retriedErrorCount: 0,
      failureReason: null,
      reportedProgress: null,
      createdAt: iso(0),
      updatedAt: iso(0),
      queuedAt: null,
      startedAt: null,
      completedAt: null,
      expiresAt: iso(HOUR_S),
      retryDueAt: null,
      cancelRequestedAt: null,
      owner: null,
      deleted: false,
      retryOf: null,
      retries: [],
      maxCostUsd: null,
      pausedFor: null,
      budgetNeededUsd: null,
      overBudget: 'pause',
      cachePriming: 'off',
      cachePrimes: [],
    });
  });

  it('must begin the stream: any other first event is refused', () => {
    expect(() => evolve(null, queued(1))).toThrow(
      "a job's first event must be JobCreated, not JobQueued",
    );
  });

  it('counts only its own requests as unfinished, not its duplicates', () => {
    const state = stateAfter(created({ requests: 5, unique: 3 }));
    expect(state).toMatchObject({ totalRequests: 5, uniqueRequests: 3, deduplicatedRequests: 2 });
    expect(unfinishedRequests(state)).toBe(3);
  });
});

describe('every later event', () => {
  it('moves updatedAt to its time', () => {
    expect(stateAfter(...aQueuedJob()).updatedAt).toBe(iso(1));
    expect(stateAfter(...aJobWithABatchAtAnthropic(), cancellationRequested(9)).updatedAt).toBe(
      iso(9),
    );
  });
});

describe('JobQueued', () => {
  it('queues the job and says when', () => {
    expect(stateAfter(...aQueuedJob())).toMatchObject({ status: 'queued', queuedAt: iso(1) });
  });
});

describe('JobStarted', () => {
  it('sets the job processing, owned by the instance that started it', () => {
    expect(stateAfter(...aProcessingJob())).toMatchObject({
      status: 'processing',
      startedAt: iso(2),
      owner: 'instance-a',
    });
  });

  it('hands the job to the instance that takes it over, keeping when it first started', () => {
    const state = stateAfter(...aProcessingJob(), started(50, 'instance-b'));
    expect(state).toMatchObject({ startedAt: iso(2), owner: 'instance-b' });
  });
});

describe('BatchSubmissionIntended', () => {
  it('adds an intended batch, its requests in flight', () => {
    const state = stateAfter(...aProcessingJob(), intended(3, 'b1', 2));
    expect(state.batches).toEqual([
      {
        batchKey: 'b1',
        batchId: null,
        attempt: 1,
        requestCount: 2,
        status: 'intended',
        adopted: false,
        intendedAt: iso(3),
        submittedAt: null,
        endedAt: null,
        resultsUrl: null,
        collectedAt: null,
        worstCaseUsd: 0,
        costUsd: null,
      },
    ]);
    expect(state.inFlight).toBe(2);
  });

  it('takes a retry’s requests from those awaiting retry, and clears the retry’s due time', () => {
    const state = stateAfter(
      ...aJobWithABatchAtAnthropic(),
      ended(60, 'b1'),
      collected(61, 'b1', { succeeded: 1, retryable: 2 }),
      retryScheduled(62, 70, 2),
      intended(70, 'b2', 2, 2),
    );
    expect(state).toMatchObject({ inFlight: 2, awaitingRetry: 0, retryDueAt: null });
  });
});

describe('BatchSubmitted', () => {
  it('gives the batch its Anthropic id', () => {
    const [batch] = stateAfter(...aJobWithABatchAtAnthropic()).batches;
    expect(batch).toMatchObject({
      batchId: batchIdOf('b1'),
      status: 'submitted',
      adopted: false,
      submittedAt: iso(4),
    });
  });

  it('marks a batch found by reconciliation as adopted', () => {
    const state = stateAfter(...aProcessingJob(), intended(3, 'b1', 3), submitted(20, 'b1', true));
    expect(state.batches[0]).toMatchObject({ status: 'submitted', adopted: true });
  });
});

describe('BatchSubmissionAbandoned', () => {
  it('gives a first sending’s requests back to be sent', () => {
    const state = stateAfter(...aProcessingJob(), intended(3, 'b1', 3), abandoned(200, 'b1'));
    expect(state.batches[0]?.status).toBe('abandoned');
    expect(state).toMatchObject({ inFlight: 0, awaitingRetry: 0 });
    expect(openBatches(state)).toEqual([]);
  });

  it('gives a retry’s requests back to those awaiting retry', () => {
    const state = stateAfter(
      ...aJobWithABatchAtAnthropic(),
      ended(60, 'b1'),
      collected(61, 'b1', { succeeded: 1, retryable: 2 }),
      intended(70, 'b2', 2, 2),
      abandoned(300, 'b2'),
    );
    expect(state).toMatchObject({ inFlight: 0, awaitingRetry: 2 });
  });
});

describe('BatchEnded', () => {
  it('marks the batch ended and keeps where its results are', () => {
    const state = stateAfter(...aJobWithABatchAtAnthropic(), ended(60, 'b1', 'https://r/b1'));
    expect(state.batches[0]).toMatchObject({
      status: 'ended',
      endedAt: iso(60),
      resultsUrl: 'https://r/b1',
    });
    expect(state.inFlight).toBe(3);
  });

  it('has no results address when the event does not say one (older events)', () => {
    const state = stateAfter(...aJobWithABatchAtAnthropic(), ended(60, 'b1'));
    expect(state.batches[0]?.resultsUrl).toBeNull();
  });
});

describe('BatchResultsCollected', () => {
  const collectedJob = () =>
    stateAfter(
      created({ requests: 6 }),
      queued(1),
      started(2),
      intended(3, 'b1', 6),
      submitted(4, 'b1'),
      ended(60, 'b1'),
      collected(61, 'b1', {
        succeeded: 2,
        errored: 1,
        canceled: 1,
        expired: 1,
        retryable: 1,
        usage: { inputTokens: 100, outputTokens: 50, costUsd: 0.1234564 },
      }),
    );

  it('closes the batch and takes its requests out of flight', () => {
    const state = collectedJob();
    expect(state.batches[0]).toMatchObject({ status: 'collected', collectedAt: iso(61) });
    expect(state.inFlight).toBe(0);
    expect(openBatches(state)).toEqual([]);
  });

  it('counts each final outcome, and the retryable errors as awaiting retry', () => {
    const state = collectedJob();
    expect(state.outcomes).toEqual({ completed: 2, failed: 1, cancelled: 1, expired: 1 });
    expect(state.awaitingRetry).toBe(1);
    expect(unfinishedRequests(state)).toBe(1);
  });

  it('counts errors, final and retryable alike, and the retryable ones apart', () => {
    const state = collectedJob();
    expect(state.errorCount).toBe(2);
    expect(state.retriedErrorCount).toBe(1);
    expect(state.errorCount - state.retriedErrorCount).toBe(state.outcomes.failed);
  });

  it('adds up the usage of every batch, the cost rounded to a millionth of a dollar', () => {
    const state = stateAfter(
      created({ requests: 6 }),
      queued(1),
      started(2),
      intended(3, 'b1', 3),
      submitted(4, 'b1'),
      intended(5, 'b2', 3),
      submitted(6, 'b2'),
      ended(60, 'b1'),
      collected(61, 'b1', {
        succeeded: 3,
        usage: { inputTokens: 100, outputTokens: 50, costUsd: 0.1000001 },
      }),
      ended(70, 'b2'),
      collected(71, 'b2', {
        succeeded: 3,
        usage: { inputTokens: 20, outputTokens: 10, costUsd: 0.0234562 },
      }),
    );
    expect(state.usage).toEqual({ inputTokens: 120, outputTokens: 60, costUsd: 0.123456 });
  });
});

describe('RetryScheduled', () => {
  it('counts the retry and says when it is due', () => {
    const state = stateAfter(
      ...aJobWithABatchAtAnthropic(),
      ended(60, 'b1'),
      collected(61, 'b1', { retryable: 3 }),
      retryScheduled(62, 70, 3),
    );
    expect(state).toMatchObject({ retryCount: 1, retryDueAt: iso(70), awaitingRetry: 3 });
  });
});

describe('ProgressRecorded', () => {
  it('makes the reported progress the job’s progress', () => {
    const reported = progress({ total: 3, completed: 1, pending: 2 });
    const state = stateAfter(...aProcessingJob(), progressRecorded(5, reported));
    expect(state.reportedProgress).toEqual(reported);
    expect(progressOf(state)).toEqual(reported);
  });
});

describe('RequestOutcomeRecorded', () => {
  it('counts a result given by hand as completed', () => {
    const state = stateAfter(...aProcessingJob(), outcomeRecorded(5, 'req-1', 'succeeded'));
    expect(state.outcomes.completed).toBe(1);
    expect(state.errorCount).toBe(0);
  });

  it('counts an error given by hand as failed, and as an error', () => {
    const state = stateAfter(...aProcessingJob(), outcomeRecorded(5, 'req-1', 'errored'));
    expect(state.outcomes.failed).toBe(1);
    expect(state.errorCount).toBe(1);
  });
});

describe('JobPaused and JobResumed', () => {
  it('pauses the job', () => {
    expect(stateAfter(...aProcessingJob(), paused(10)).status).toBe('paused');
  });

  it('sets a resumed job processing again', () => {
    expect(stateAfter(...aProcessingJob(), paused(10), resumed(20)).status).toBe('processing');
  });
});

describe('JobCancellationRequested', () => {
  it('says when the cancellation was asked for, the status unchanged until the job ends', () => {
    const state = stateAfter(...aJobWithABatchAtAnthropic(), cancellationRequested(10));
    expect(state).toMatchObject({ status: 'processing', cancelRequestedAt: iso(10) });
  });

  it('leaves a paused job paused', () => {
    const state = stateAfter(...aJobWithABatchAtAnthropic(), paused(9), cancellationRequested(10));
    expect(state.status).toBe('paused');
  });
});

describe('the events that end a job', () => {
  it('JobCancelled cancels what has no outcome and clears what was on the way', () => {
    const state = stateAfter(
      ...aJobWithABatchAtAnthropic(),
      retryScheduled(5, 70, 1),
      progressRecorded(6, progress({ total: 3, pending: 3 })),
      cancelled(10, 3),
    );
    expect(state).toMatchObject({
      status: 'cancelled',
      completedAt: iso(10),
      inFlight: 0,
      awaitingRetry: 0,
      retryDueAt: null,
      reportedProgress: null,
    });
    expect(state.outcomes.cancelled).toBe(3);
  });

  it('JobExpired expires what has no outcome', () => {
    const state = stateAfter(...aQueuedJob(), expired(HOUR_S, 3));
    expect(state).toMatchObject({ status: 'expired', completedAt: iso(HOUR_S) });
    expect(state.outcomes.expired).toBe(3);
  });

  it('JobFailed fails what has no outcome and keeps the reason', () => {
    const state = stateAfter(...aQueuedJob(), failed(10, 'operator gave up', 3));
    expect(state).toMatchObject({ status: 'failed', failureReason: 'operator gave up' });
    expect(state.outcomes.failed).toBe(3);
  });

  it('JobCompleted completes the job with the progress it states', () => {
    const state = stateAfter(...aCompletedJob());
    expect(state).toMatchObject({ status: 'completed', completedAt: iso(62) });
    expect(state.reportedProgress).toEqual(progress({ total: 3, completed: 3 }));
    expect(unfinishedRequests(state)).toBe(0);
  });

  it('JobCompleted replaces a progress reported by hand', () => {
    const state = stateAfter(
      ...aJobWithEverythingCollected(),
      progressRecorded(61, progress({ total: 3, pending: 3 })),
      completed(62, progress({ total: 3, completed: 3 })),
    );
    expect(progressOf(state)).toEqual(progress({ total: 3, completed: 3 }));
  });
});

describe('JobDeleted', () => {
  it('marks the job deleted, its status as it was', () => {
    const state = stateAfter(...aQueuedJob(), deleted(5));
    expect(state).toMatchObject({ deleted: true, status: 'queued' });
  });
});

describe('a job’s own progress', () => {
  it('counts requests in flight as processing and the rest as pending', () => {
    const state = stateAfter(...aProcessingJob(), intended(3, 'b1', 2));
    expect(progressOf(state)).toEqual(progress({ total: 3, processing: 2, pending: 1 }));
  });

  it('counts collected outcomes as done', () => {
    const state = stateAfter(...aJobWithEverythingCollected());
    expect(progressOf(state)).toEqual(progress({ total: 3, completed: 3 }));
  });
});
