import { ConflictError, IllegalTransitionError, NotFoundError } from './errors.js';
import {
  type ChangeBudget,
  commandVerb,
  type JobCommand,
  type RecordOutcome,
  type RecordProgress,
  type SetJobStatus,
} from './job.commands.js';
import type { JobEvent } from './job.events.js';
import { type JobState, openBatches, progressOf, unfinishedRequests } from './job.state.js';
import { isTerminalStatus } from './job-status.js';
import { withPercentComplete } from './progress.js';

/**
 * The events a command leads to, from the job's state (undefined: no such
 * job) and the time; pure. Refuses with a NotFoundError, ConflictError or
 * IllegalTransitionError. Whether each event may follow the job's current
 * step is the job machine's to say when the events are committed
 * (commitJobEvents), not this function's: pausing a completed job decides
 * JobPaused, which the machine refuses. An empty list: nothing to do.
 */
export function decide(command: JobCommand, state: JobState | undefined, now: Date): JobEvent[] {
  const job = visibleJob(command, state);
  const at = now.toISOString();
  switch (command.type) {
    case 'CancelJob':
      return cancel(job, at);
    case 'PauseJob':
      return [{ type: 'JobPaused', data: { at } }];
    case 'ResumeJob':
      return [{ type: 'JobResumed', data: { at } }];
    case 'DeleteJob':
      return [{ type: 'JobDeleted', data: { at } }];
    case 'SetJobStatus':
      return setStatus(command, job, at);
    case 'RecordProgress':
      return recordProgress(command, job, at);
    case 'RecordOutcome':
      return recordOutcome(command, job, at);
    case 'ChangeBudget':
      return changeBudget(command, job, at);
    default: {
      const unknownCommand: never = command;
      throw new Error(`unknown job command ${(unknownCommand as JobCommand).type}`);
    }
  }
}

/** A tenant sees only its own jobs, and nobody sees a deleted one. */
function visibleJob(command: JobCommand, state: JobState | undefined): JobState {
  const { jobId, tenant } = command.data;
  if (!state || state.deleted || state.tenant !== tenant) {
    throw new NotFoundError(`job ${jobId} not found`);
  }
  return state;
}

/** At once, unless batches are on their way: then they are cancelled at Anthropic first. */
function cancel(state: JobState, at: string): JobEvent[] {
  if (state.status === 'processing' || state.status === 'paused') {
    if (state.cancelRequestedAt) return [];
    if (openBatches(state).length > 0) return [{ type: 'JobCancellationRequested', data: { at } }];
  }
  return [{ type: 'JobCancelled', data: { at, unfinished: unfinishedRequests(state) } }];
}

function setStatus(command: SetJobStatus, state: JobState, at: string): JobEvent[] {
  const { status, reason, instanceId } = command.data;
  switch (status) {
    case 'queued':
      return [{ type: 'JobQueued', data: { at } }];
    case 'processing':
      // Already processing: a JobStarted would name a new owner and fence out the one driving it.
      if (state.status === 'processing') return [];
      return state.status === 'paused'
        ? [{ type: 'JobResumed', data: { at } }]
        : [{ type: 'JobStarted', data: { at, instanceId } }];
    case 'paused':
      return [{ type: 'JobPaused', data: { at } }];
    case 'completed':
      return [{ type: 'JobCompleted', data: { at, progress: progressOf(state) } }];
    case 'failed':
      return [
        {
          type: 'JobFailed',
          data: {
            at,
            reason: reason ?? 'failed by request',
            unfinished: unfinishedRequests(state),
          },
        },
      ];
    case 'expired':
      return [{ type: 'JobExpired', data: { at, unfinished: unfinishedRequests(state) } }];
    case 'cancelled':
      return cancel(state, at);
    case 'pending':
      // No event leads back to pending: a job is pending only until it is queued.
      throw new IllegalTransitionError(commandVerb(command), state.status);
    default: {
      const unknownStatus: never = status;
      throw new Error(`unknown status ${unknownStatus}`);
    }
  }
}

/** The counts given replace the current ones; the percentage is computed again. */
function recordProgress(command: RecordProgress, state: JobState, at: string): JobEvent[] {
  const given = command.data.progress;
  const current = progressOf(state);
  const progress = withPercentComplete({
    total: given.total ?? current.total,
    pending: given.pending ?? current.pending,
    processing: given.processing ?? current.processing,
    completed: given.completed ?? current.completed,
    failed: given.failed ?? current.failed,
    cancelled: given.cancelled ?? current.cancelled,
    expired: given.expired ?? current.expired,
  });
  return [{ type: 'ProgressRecorded', data: { progress, at } }];
}

/** One final result per request, given to a request of this job that is not a duplicate. */
function recordOutcome(command: RecordOutcome, state: JobState, at: string): JobEvent[] {
  const { jobId, customId, resultType, request } = command.data;
  // A job that has ended takes no more results, whatever the request: refused before it is looked at.
  if (isTerminalStatus(state.status)) {
    throw new IllegalTransitionError(commandVerb(command), state.status);
  }
  if (!request) throw new NotFoundError(`job ${jobId} has no request ${customId}`);
  if (request.isDuplicate) {
    throw new ConflictError(`request ${customId} is a duplicate: it takes its original's result`);
  }
  if (request.hasFinalResult) {
    throw new ConflictError(`request ${customId} already has its final result`);
  }
  return [{ type: 'RequestOutcomeRecorded', data: { customId, resultType, at } }];
}

/**
 * A new cap for a job that has not ended. A job paused for its budget resumes when the cap is
 * raised or removed (the next request may still not fit: it then pauses again).
 */
function changeBudget(command: ChangeBudget, state: JobState, at: string): JobEvent[] {
  if (isTerminalStatus(state.status)) {
    throw new IllegalTransitionError(commandVerb(command), state.status);
  }
  const { maxCostUsd } = command.data;
  const current = state.maxCostUsd ?? null;
  if (maxCostUsd === current) return [];
  const changed: JobEvent = { type: 'JobBudgetChanged', data: { maxCostUsd, at } };
  const raised = maxCostUsd === null || (current !== null && maxCostUsd > current);
  return state.pausedFor === 'budget' && raised
    ? [changed, { type: 'JobResumed', data: { at } }]
    : [changed];
}
