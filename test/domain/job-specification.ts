/**
 * The vocabulary of the job specification tests: fixed times, one builder per
 * event and command, and `given(...events).when(command, now).thenEvents(...)`.
 * No clock and no database.
 */
import { expect } from 'vitest';
import { IllegalTransitionError } from '../../src/domain/errors.js';
import type { JobCommand, RecordOutcome } from '../../src/domain/job.commands.js';
import { commandVerb } from '../../src/domain/job.commands.js';
import { decide } from '../../src/domain/job.decide.js';
import type { BatchResultsCollected, JobEvent } from '../../src/domain/job.events.js';
import { evolve, type JobState } from '../../src/domain/job.state.js';
import type { JobStatus } from '../../src/domain/job-status.js';
import {
  type JobProgress,
  type ProgressCounts,
  withPercentComplete,
} from '../../src/domain/progress.js';
import { accepts, applyEvents, emptySnapshot } from '../../src/machines/job-snapshot.js';

export const JOB = 'job_1';
export const TENANT = 'acme';
export const HOUR_S = 3600;

const T0 = Date.parse('2026-03-01T09:00:00.000Z');

/** The time `seconds` after the job was created. */
export function t(seconds: number): Date {
  return new Date(T0 + seconds * 1000);
}

/** The same, as events write it. */
export function iso(seconds: number): string {
  return t(seconds).toISOString();
}

/** A job of `requests` requests (`unique` of them its own) created at t(0), due an hour later. */
export function created(options: { requests?: number; unique?: number } = {}): JobEvent {
  const requests = options.requests ?? 3;
  const unique = options.unique ?? requests;
  return {
    type: 'JobCreated',
    data: {
      jobId: JOB,
      tenant: TENANT,
      priority: 3,
      tags: ['spec'],
      metadata: {},
      deduplicate: true,
      timeoutMs: HOUR_S * 1000,
      callbackUrl: null,
      idempotencyKey: null,
      totalRequests: requests,
      uniqueRequests: unique,
      deduplicatedRequests: requests - unique,
      createdAt: iso(0),
      expiresAt: iso(HOUR_S),
    },
  };
}

export const queued = (s: number): JobEvent => ({ type: 'JobQueued', data: { at: iso(s) } });
export const started = (s: number, instanceId = 'instance-a'): JobEvent => ({
  type: 'JobStarted',
  data: { at: iso(s), instanceId },
});
export const intended = (s: number, batchKey: string, requestCount: number, attempt = 1) =>
  ({
    type: 'BatchSubmissionIntended',
    data: { batchKey, attempt, requestCount, at: iso(s) },
  }) satisfies JobEvent;
export const submitted = (s: number, batchKey: string, adopted?: boolean): JobEvent => ({
  type: 'BatchSubmitted',
  data: { batchKey, batchId: batchIdOf(batchKey), at: iso(s), ...(adopted ? { adopted } : {}) },
});
export const abandoned = (s: number, batchKey: string): JobEvent => ({
  type: 'BatchSubmissionAbandoned',
  data: { batchKey, reason: 'not found at Anthropic', at: iso(s) },
});
export const ended = (s: number, batchKey: string, resultsUrl?: string): JobEvent => ({
  type: 'BatchEnded',
  data: { batchKey, batchId: batchIdOf(batchKey), at: iso(s), resultsUrl },
});
/** A batch's results: `counts` by outcome (none by default), usage as given. */
export const collected = (
  s: number,
  batchKey: string,
  counts: Partial<Omit<BatchResultsCollected['data'], 'batchKey' | 'batchId' | 'at'>> = {},
): JobEvent => ({
  type: 'BatchResultsCollected',
  data: {
    batchKey,
    batchId: batchIdOf(batchKey),
    succeeded: 0,
    errored: 0,
    canceled: 0,
    expired: 0,
    retryable: 0,
    usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
    ...counts,
    at: iso(s),
  },
});
export const retryScheduled = (s: number, dueS: number, requestCount: number, attempt = 2) =>
  ({
    type: 'RetryScheduled',
    data: { attempt, requestCount, dueAt: iso(dueS), at: iso(s) },
  }) satisfies JobEvent;
export const progressRecorded = (s: number, progress: JobProgress): JobEvent => ({
  type: 'ProgressRecorded',
  data: { progress, at: iso(s) },
});
export const outcomeRecorded = (
  s: number,
  customId: string,
  resultType: 'succeeded' | 'errored',
): JobEvent => ({ type: 'RequestOutcomeRecorded', data: { customId, resultType, at: iso(s) } });
export const paused = (s: number): JobEvent => ({ type: 'JobPaused', data: { at: iso(s) } });
export const resumed = (s: number): JobEvent => ({ type: 'JobResumed', data: { at: iso(s) } });
export const cancellationRequested = (s: number): JobEvent => ({
  type: 'JobCancellationRequested',
  data: { at: iso(s) },
});
export const cancelled = (s: number, unfinished: number): JobEvent => ({
  type: 'JobCancelled',
  data: { at: iso(s), unfinished },
});
export const completed = (s: number, progress: JobProgress): JobEvent => ({
  type: 'JobCompleted',
  data: { at: iso(s), progress },
});
export const failed = (s: number, reason: string, unfinished: number): JobEvent => ({
  type: 'JobFailed',
  data: { at: iso(s), reason, unfinished },
});
export const expired = (s: number, unfinished: number): JobEvent => ({
  type: 'JobExpired',
  data: { at: iso(s), unfinished },
});
export const deleted = (s: number): JobEvent => ({ type: 'JobDeleted', data: { at: iso(s) } });

/** The Anthropic id the tests give a batch. */
export function batchIdOf(batchKey: string): string {
  return `msgbatch_${batchKey}`;
}

/** A progress with its percentage, from counts (those left out are 0). */
export function progress(counts: Partial<ProgressCounts> & { total: number }): JobProgress {
  return withPercentComplete({
    pending: 0,
    processing: 0,
    completed: 0,
    failed: 0,
    cancelled: 0,
    expired: 0,
    ...counts,
  });
}

// Histories a job commonly has, each the one before it and more.
export const aPendingJob = (): JobEvent[] => [created()];
export const aQueuedJob = (): JobEvent[] => [created(), queued(1)];
export const aProcessingJob = (): JobEvent[] => [...aQueuedJob(), started(2)];
/** Processing, its three requests in batch b1 at Anthropic. */
export const aJobWithABatchAtAnthropic = (): JobEvent[] => [
  ...aProcessingJob(),
  intended(3, 'b1', 3),
  submitted(4, 'b1'),
];
/** Processing, every request succeeded, not yet completed. */
export const aJobWithEverythingCollected = (): JobEvent[] => [
  ...aJobWithABatchAtAnthropic(),
  ended(60, 'b1'),
  collected(61, 'b1', { succeeded: 3 }),
];
export const aCompletedJob = (): JobEvent[] => [
  ...aJobWithEverythingCollected(),
  completed(62, progress({ total: 3, completed: 3 })),
];

// Commands, about JOB, asked by TENANT unless said otherwise.
const address = (tenant = TENANT) => ({ jobId: JOB, tenant });
export const cancelJob = (tenant?: string): JobCommand => ({
  type: 'CancelJob',
  data: address(tenant),
});
export const pauseJob = (): JobCommand => ({ type: 'PauseJob', data: address() });
export const resumeJob = (): JobCommand => ({ type: 'ResumeJob', data: address() });
export const deleteJob = (): JobCommand => ({ type: 'DeleteJob', data: address() });
export const setJobStatus = (status: JobStatus, reason?: string): JobCommand => ({
  type: 'SetJobStatus',
  data: { ...address(), status, reason, instanceId: 'instance-b' },
});
export const recordProgress = (given: Partial<ProgressCounts>): JobCommand => ({
  type: 'RecordProgress',
  data: { ...address(), progress: given },
});
/** A result given by hand for `customId`; `request` is what the database knows of it. */
export const recordOutcome = (
  customId: string,
  resultType: 'succeeded' | 'errored',
  request: RecordOutcome['data']['request'] = {
    ordinal: 0,
    isDuplicate: false,
    hasFinalResult: false,
  },
): JobCommand => ({ type: 'RecordOutcome', data: { ...address(), customId, resultType, request } });

/** A job's state after its events, folded by `evolve`. */
export function stateAfter(...events: JobEvent[]): JobState {
  const state = events.reduce<JobState | null>(evolve, null);
  if (!state) throw new Error('a job needs at least its JobCreated');
  return state;
}

/**
 * Given a job's events, when a command is given at `now`: what the handler
 * would commit. That is `decide`'s events as the job machine admits them
 * (commitJobEvents refuses an event the machine does not accept in the job's
 * step with the same IllegalTransitionError), or the error either raises.
 */
export function given(...history: JobEvent[]) {
  return {
    when(command: JobCommand, now: Date) {
      const outcome = (): JobEvent[] => {
        const snapshot = applyEvents(emptySnapshot(), history);
        const state = snapshot.context.job ?? undefined;
        const events = decide(command, state, now);
        if (state && !accepts(snapshot, events)) {
          throw new IllegalTransitionError(commandVerb(command), state.status);
        }
        return events;
      };
      return {
        /** The command leads to exactly these events. */
        thenEvents(...events: JobEvent[]) {
          expect(events.length).toBeGreaterThan(0);
          expect(outcome()).toEqual(events);
        },
        /** The command changes nothing: no event, no error. */
        thenNothing() {
          expect(outcome()).toEqual([]);
        },
        /** The command is refused with this error and message. */
        thenThrows(error: new (...args: never[]) => Error, message: string) {
          let thrown: unknown;
          try {
            outcome();
          } catch (caught) {
            thrown = caught;
          }
          expect(thrown).toBeInstanceOf(error);
          expect((thrown as Error).message).toBe(message);
        },
      };
    },
  };
}
