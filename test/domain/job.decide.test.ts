import { describe, expect, it } from 'vitest';
import { ConflictError, IllegalTransitionError, NotFoundError } from '../../src/domain/errors.js';
import type { JobCommand } from '../../src/domain/job.commands.js';
import { decide } from '../../src/domain/job.decide.js';
import {
  aCompletedJob,
  aJobWithABatchAtAnthropic,
  aJobWithEverythingCollected,
  aPendingJob,
  aProcessingJob,
  aQueuedJob,
  cancelJob,
  cancellationRequested,
  cancelled,
  collected,
  created,
  deleted,
  deleteJob,
  ended,
  given,
  intended,
  iso,
  paused,
  pauseJob,
  progress,
  progressRecorded,
  queued,
  recordOutcome,
  recordProgress,
  resumeJob,
  setJobStatus,
  started,
  stateAfter,
  submitted,
  t,
} from './job-specification.js';

const NOW = t(100);
const at = iso(100);

describe('CancelJob', () => {
  it('cancels a pending job at once, every request cancelled', () => {
    given(...aPendingJob())
      .when(cancelJob(), NOW)
      .thenEvents({ type: 'JobCancelled', data: { at, unfinished: 3 } });
  });

  it('cancels a queued job at once, every request cancelled', () => {
    given(...aQueuedJob())
      .when(cancelJob(), NOW)
      .thenEvents({ type: 'JobCancelled', data: { at, unfinished: 3 } });
  });

  it('cancels a processing job with nothing on the way at once, counting only what has no outcome', () => {
    given(
      ...aProcessingJob(),
      intended(3, 'b1', 2),
      submitted(4, 'b1'),
      ended(60, 'b1'),
      collected(61, 'b1', { succeeded: 2 }),
    )
      .when(cancelJob(), NOW)
      .thenEvents({ type: 'JobCancelled', data: { at, unfinished: 1 } });
  });

  it('asks for the cancellation first when a batch is at Anthropic', () => {
    given(...aJobWithABatchAtAnthropic())
      .when(cancelJob(), NOW)
      .thenEvents({ type: 'JobCancellationRequested', data: { at } });
  });

  it('asks for the cancellation first when a batch is intended but not yet answered', () => {
    given(...aProcessingJob(), intended(3, 'b1', 3))
      .when(cancelJob(), NOW)
      .thenEvents({ type: 'JobCancellationRequested', data: { at } });
  });

  it('asks for the cancellation first when a paused job still has a batch at Anthropic', () => {
    given(...aJobWithABatchAtAnthropic(), paused(10))
      .when(cancelJob(), NOW)
      .thenEvents({ type: 'JobCancellationRequested', data: { at } });
  });

  it('cancels a paused job with nothing on the way at once', () => {
    given(...aProcessingJob(), paused(10))
      .when(cancelJob(), NOW)
      .thenEvents({ type: 'JobCancelled', data: { at, unfinished: 3 } });
  });

  it('does nothing when the cancellation was already asked for', () => {
    given(...aJobWithABatchAtAnthropic(), cancellationRequested(10))
      .when(cancelJob(), NOW)
      .thenNothing();
  });

  it('refuses a job that has completed', () => {
    given(...aCompletedJob())
      .when(cancelJob(), NOW)
      .thenThrows(IllegalTransitionError, 'cannot cancel a job that is completed');
  });

  it('refuses a job that is already cancelled', () => {
    given(...aQueuedJob(), cancelled(5, 3))
      .when(cancelJob(), NOW)
      .thenThrows(IllegalTransitionError, 'cannot cancel a job that is cancelled');
  });
});

describe('PauseJob', () => {
  it('pauses a processing job', () => {
    given(...aProcessingJob())
      .when(pauseJob(), NOW)
      .thenEvents({ type: 'JobPaused', data: { at } });
  });

  it('pauses a processing job whose batch is at Anthropic (it is still collected)', () => {
    given(...aJobWithABatchAtAnthropic())
      .when(pauseJob(), NOW)
      .thenEvents({ type: 'JobPaused', data: { at } });
  });

  it('refuses a queued job', () => {
    given(...aQueuedJob())
      .when(pauseJob(), NOW)
      .thenThrows(IllegalTransitionError, 'cannot pause a job that is queued');
  });

  it('refuses a job that is already paused', () => {
    given(...aProcessingJob(), paused(10))
      .when(pauseJob(), NOW)
      .thenThrows(IllegalTransitionError, 'cannot pause a job that is paused');
  });

  it('refuses a job whose cancellation is under way', () => {
    given(...aJobWithABatchAtAnthropic(), cancellationRequested(10))
      .when(pauseJob(), NOW)
      .thenThrows(IllegalTransitionError, 'cannot pause a job that is processing');
  });

  it('refuses a job that has completed', () => {
    given(...aCompletedJob())
      .when(pauseJob(), NOW)
      .thenThrows(IllegalTransitionError, 'cannot pause a job that is completed');
  });
});

describe('ResumeJob', () => {
  it('resumes a paused job', () => {
    given(...aJobWithABatchAtAnthropic(), paused(10))
      .when(resumeJob(), NOW)
      .thenEvents({ type: 'JobResumed', data: { at } });
  });

  it('refuses a queued job', () => {
    given(...aQueuedJob())
      .when(resumeJob(), NOW)
      .thenThrows(IllegalTransitionError, 'cannot resume a job that is queued');
  });

  it('refuses a processing job', () => {
    given(...aProcessingJob())
      .when(resumeJob(), NOW)
      .thenThrows(IllegalTransitionError, 'cannot resume a job that is processing');
  });

  it('refuses a paused job whose cancellation is under way', () => {
    given(...aJobWithABatchAtAnthropic(), paused(10), cancellationRequested(11))
      .when(resumeJob(), NOW)
      .thenThrows(IllegalTransitionError, 'cannot resume a job that is paused');
  });
});

describe('DeleteJob', () => {
  it.each([
    ['pending', aPendingJob()],
    ['queued', aQueuedJob()],
    ['processing with a batch at Anthropic', aJobWithABatchAtAnthropic()],
    ['paused', [...aProcessingJob(), paused(10)]],
    ['being cancelled', [...aJobWithABatchAtAnthropic(), cancellationRequested(10)]],
    ['completed', aCompletedJob()],
    ['cancelled', [...aQueuedJob(), cancelled(5, 3)]],
  ])('deletes a job that is %s', (_name, history) => {
    given(...history)
      .when(deleteJob(), NOW)
      .thenEvents({ type: 'JobDeleted', data: { at } });
  });
});

describe('SetJobStatus', () => {
  it('queues a pending job', () => {
    given(...aPendingJob())
      .when(setJobStatus('queued'), NOW)
      .thenEvents({ type: 'JobQueued', data: { at } });
  });

  it('refuses to queue a job that is already queued', () => {
    given(...aQueuedJob())
      .when(setJobStatus('queued'), NOW)
      .thenThrows(IllegalTransitionError, 'cannot set status queued of a job that is queued');
  });

  it('starts a queued job as the instance that asks', () => {
    given(...aQueuedJob())
      .when(setJobStatus('processing'), NOW)
      .thenEvents({ type: 'JobStarted', data: { at, instanceId: 'instance-b' } });
  });

  it('records nothing for a job already processing (JobStarted would name a new owner and fence out the one driving it)', () => {
    given(...aJobWithABatchAtAnthropic())
      .when(setJobStatus('processing'), NOW)
      .thenNothing();
  });

  it('resumes a paused job set to processing', () => {
    given(...aProcessingJob(), paused(10))
      .when(setJobStatus('processing'), NOW)
      .thenEvents({ type: 'JobResumed', data: { at } });
  });

  it('pauses a processing job', () => {
    given(...aProcessingJob())
      .when(setJobStatus('paused'), NOW)
      .thenEvents({ type: 'JobPaused', data: { at } });
  });

  it('completes a processing job with nothing in flight, with its progress', () => {
    given(...aJobWithEverythingCollected())
      .when(setJobStatus('completed'), NOW)
      .thenEvents({
        type: 'JobCompleted',
        data: { at, progress: progress({ total: 3, completed: 3 }) },
      });
  });

  it('refuses to complete a job with requests in flight', () => {
    given(...aJobWithABatchAtAnthropic())
      .when(setJobStatus('completed'), NOW)
      .thenThrows(
        IllegalTransitionError,
        'cannot set status completed of a job that is processing',
      );
  });

  it('refuses to complete a queued job', () => {
    given(...aQueuedJob())
      .when(setJobStatus('completed'), NOW)
      .thenThrows(IllegalTransitionError, 'cannot set status completed of a job that is queued');
  });

  it('fails a job for the reason given, its unfinished requests failed', () => {
    given(...aQueuedJob())
      .when(setJobStatus('failed', 'operator gave up'), NOW)
      .thenEvents({ type: 'JobFailed', data: { at, reason: 'operator gave up', unfinished: 3 } });
  });

  it('fails a job "by request" when no reason is given', () => {
    given(...aProcessingJob())
      .when(setJobStatus('failed'), NOW)
      .thenEvents({ type: 'JobFailed', data: { at, reason: 'failed by request', unfinished: 3 } });
  });

  it('fails a job whose batch is at Anthropic without waiting for it', () => {
    given(...aJobWithABatchAtAnthropic())
      .when(setJobStatus('failed'), NOW)
      .thenEvents({ type: 'JobFailed', data: { at, reason: 'failed by request', unfinished: 3 } });
  });

  it('expires a job, its unfinished requests expired', () => {
    given(...aQueuedJob())
      .when(setJobStatus('expired'), NOW)
      .thenEvents({ type: 'JobExpired', data: { at, unfinished: 3 } });
  });

  it('cancels as CancelJob does when set to cancelled', () => {
    given(...aJobWithABatchAtAnthropic())
      .when(setJobStatus('cancelled'), NOW)
      .thenEvents({ type: 'JobCancellationRequested', data: { at } });
  });

  it('refuses to set a job back to pending', () => {
    given(...aPendingJob())
      .when(setJobStatus('pending'), NOW)
      .thenThrows(IllegalTransitionError, 'cannot set status pending of a job that is pending');
  });

  it('refuses a job that has ended', () => {
    given(...aCompletedJob())
      .when(setJobStatus('failed'), NOW)
      .thenThrows(IllegalTransitionError, 'cannot set status failed of a job that is completed');
  });
});

describe('RecordProgress', () => {
  const fourRequests = () => [created({ requests: 4 }), queued(1), started(2)];

  it('records the counts given over the job’s own, with the percentage computed', () => {
    given(...fourRequests())
      .when(recordProgress({ completed: 1, failed: 1, pending: 2 }), NOW)
      .thenEvents({
        type: 'ProgressRecorded',
        data: { at, progress: progress({ total: 4, pending: 2, completed: 1, failed: 1 }) },
      });
  });

  it('keeps the last reported progress for the counts left out', () => {
    given(...fourRequests(), progressRecorded(5, progress({ total: 4, pending: 3, completed: 1 })))
      .when(recordProgress({ completed: 2, pending: 2 }), NOW)
      .thenEvents({
        type: 'ProgressRecorded',
        data: { at, progress: progress({ total: 4, pending: 2, completed: 2 }) },
      });
  });

  it('records the progress of a paused job', () => {
    given(...fourRequests(), paused(10))
      .when(recordProgress({ completed: 4, pending: 0 }), NOW)
      .thenEvents({
        type: 'ProgressRecorded',
        data: { at, progress: progress({ total: 4, completed: 4 }) },
      });
  });

  it('refuses a job that is not processing yet', () => {
    given(...aQueuedJob())
      .when(recordProgress({ completed: 1 }), NOW)
      .thenThrows(IllegalTransitionError, 'cannot update the progress of a job that is queued');
  });

  it('refuses a job that has ended', () => {
    given(...aCompletedJob())
      .when(recordProgress({ completed: 1 }), NOW)
      .thenThrows(IllegalTransitionError, 'cannot update the progress of a job that is completed');
  });
});

describe('RecordOutcome', () => {
  it('records a result given by hand for a request that has none', () => {
    given(...aProcessingJob())
      .when(recordOutcome('req-1', 'succeeded'), NOW)
      .thenEvents({
        type: 'RequestOutcomeRecorded',
        data: { at, customId: 'req-1', resultType: 'succeeded' },
      });
  });

  it('records an error given by hand', () => {
    given(...aProcessingJob())
      .when(recordOutcome('req-1', 'errored'), NOW)
      .thenEvents({
        type: 'RequestOutcomeRecorded',
        data: { at, customId: 'req-1', resultType: 'errored' },
      });
  });

  it('records a result of a job that is still queued', () => {
    given(...aQueuedJob())
      .when(recordOutcome('req-1', 'succeeded'), NOW)
      .thenEvents({
        type: 'RequestOutcomeRecorded',
        data: { at, customId: 'req-1', resultType: 'succeeded' },
      });
  });

  it('refuses a request the job does not have', () => {
    given(...aProcessingJob())
      .when(recordOutcome('req-9', 'succeeded', null), NOW)
      .thenThrows(NotFoundError, 'job job_1 has no request req-9');
  });

  it('refuses a duplicate: it takes its original’s result', () => {
    given(...aProcessingJob())
      .when(
        recordOutcome('req-2', 'succeeded', {
          ordinal: 1,
          isDuplicate: true,
          hasFinalResult: true,
        }),
        NOW,
      )
      .thenThrows(ConflictError, "request req-2 is a duplicate: it takes its original's result");
  });

  it('refuses a second final result', () => {
    given(...aProcessingJob())
      .when(
        recordOutcome('req-1', 'errored', { ordinal: 0, isDuplicate: false, hasFinalResult: true }),
        NOW,
      )
      .thenThrows(ConflictError, 'request req-1 already has its final result');
  });

  it('refuses a job that has ended, whatever the request', () => {
    given(...aCompletedJob())
      .when(recordOutcome('req-9', 'succeeded', null), NOW)
      .thenThrows(IllegalTransitionError, 'cannot record a result of a job that is completed');
  });
});

describe('every command', () => {
  const commands: Array<[string, JobCommand]> = [
    ['CancelJob', cancelJob()],
    ['PauseJob', pauseJob()],
    ['ResumeJob', resumeJob()],
    ['DeleteJob', deleteJob()],
    ['SetJobStatus', setJobStatus('queued')],
    ['RecordProgress', recordProgress({ completed: 1 })],
    ['RecordOutcome', recordOutcome('req-1', 'succeeded')],
  ];
  const asTenant = (command: JobCommand, tenant: string) =>
    ({ ...command, data: { ...command.data, tenant } }) as JobCommand;

  it.each(commands)('%s finds no job that has no events', (_name, command) => {
    given().when(command, NOW).thenThrows(NotFoundError, 'job job_1 not found');
  });

  it.each(commands)('%s finds no job that was deleted', (_name, command) => {
    given(...aQueuedJob(), deleted(5))
      .when(command, NOW)
      .thenThrows(NotFoundError, 'job job_1 not found');
  });

  it.each(commands)('%s finds no job of another tenant', (_name, command) => {
    given(...aProcessingJob())
      .when(asTenant(command, 'stranger'), NOW)
      .thenThrows(NotFoundError, 'job job_1 not found');
  });

  it('leaves to the job machine whether an event may follow: decide alone proposes it', () => {
    expect(decide(pauseJob(), stateAfter(...aCompletedJob()), NOW)).toEqual([
      { type: 'JobPaused', data: { at } },
    ]);
  });
});
