import { assign, setup } from 'xstate';
import type { JobEvent } from '../domain/job.events.js';
import { evolve, type JobState } from '../domain/job.state.js';

/**
 * The job machine: which fact may follow which. Its events are the job's
 * events; its context is the job's state folded by `evolve`. Side effects are
 * not in the machine: the runtime decides what to do, checks the machine
 * accepts the resulting events (`snapshot.can`), and appends them. Deadlines
 * live in the database, not in `after` timers (they would not survive a restart).
 */
export const jobMachine = setup({
  types: {
    context: {} as { job: JobState | null },
    events: {} as JobEvent,
  },
  actions: {
    evolve: assign({ job: ({ context, event }) => evolve(context.job, event) }),
  },
  guards: {
    nothingInFlight: ({ context }) => (context.job?.inFlight ?? 0) === 0,
  },
}).createMachine({
  id: 'job',
  initial: 'new',
  context: { job: null },
  states: {
    new: {
      on: { JobCreated: { target: 'pending', actions: 'evolve' } },
    },
    pending: {
      on: {
        RequestOutcomeRecorded: { actions: 'evolve' },
        JobBudgetChanged: { actions: 'evolve' },
        JobFailed: { target: 'failed', actions: 'evolve' },
        JobQueued: { target: 'queued', actions: 'evolve' },
        JobCancelled: { target: 'cancelled', actions: 'evolve' },
        JobExpired: { target: 'expired', actions: 'evolve' },
        JobDeleted: { target: 'deleted', actions: 'evolve' },
      },
    },
    queued: {
      on: {
        RequestOutcomeRecorded: { actions: 'evolve' },
        JobBudgetChanged: { actions: 'evolve' },
        JobFailed: { target: 'failed', actions: 'evolve' },
        JobStarted: { target: 'processing', actions: 'evolve' },
        JobCancelled: { target: 'cancelled', actions: 'evolve' },
        JobExpired: { target: 'expired', actions: 'evolve' },
        JobDeleted: { target: 'deleted', actions: 'evolve' },
      },
    },
    processing: {
      initial: 'submitting',
      on: {
        ProgressRecorded: { actions: 'evolve' },
        RequestOutcomeRecorded: { actions: 'evolve' },
        RequestsEndedOverBudget: { actions: 'evolve' },
        JobBudgetChanged: { actions: 'evolve' },
        JobFailed: { target: 'failed', actions: 'evolve' },
        JobExpired: { target: 'expired', actions: 'evolve' },
        JobDeleted: { target: 'deleted', actions: 'evolve' },
        // Another instance taking over a lapsed lease starts the job again.
        JobStarted: { actions: 'evolve' },
      },
      states: {
        submitting: { on: activeTransitions() },
        waiting: { on: activeTransitions() },
        collecting: { on: activeTransitions() },
        retrying: { on: activeTransitions() },
        cancelling: {
          on: {
            BatchSubmitted: { actions: 'evolve' },
            BatchSubmissionAbandoned: { actions: 'evolve' },
            BatchEnded: { actions: 'evolve' },
            BatchResultsCollected: { actions: 'evolve' },
            JobCancelled: { target: '#job.cancelled', actions: 'evolve' },
          },
        },
      },
    },
    paused: {
      on: {
        JobResumed: { target: 'processing', actions: 'evolve' },
        // Anthropic cannot pause a batch: what is already on the way is still collected.
        BatchSubmitted: { actions: 'evolve' },
        BatchSubmissionAbandoned: { actions: 'evolve' },
        BatchEnded: { actions: 'evolve' },
        BatchResultsCollected: { actions: 'evolve' },
        RetryScheduled: { actions: 'evolve' },
        ProgressRecorded: { actions: 'evolve' },
        RequestOutcomeRecorded: { actions: 'evolve' },
        JobBudgetChanged: { actions: 'evolve' },
        JobStarted: { actions: 'evolve' },
        JobCancellationRequested: { target: '#job.processing.cancelling', actions: 'evolve' },
        JobCancelled: { target: 'cancelled', guard: 'nothingInFlight', actions: 'evolve' },
        JobCompleted: { target: 'completed', guard: 'nothingInFlight', actions: 'evolve' },
        JobFailed: { target: 'failed', actions: 'evolve' },
        JobExpired: { target: 'expired', actions: 'evolve' },
        JobDeleted: { target: 'deleted', actions: 'evolve' },
      },
    },
    completed: { on: endedTransitions() },
    failed: { on: endedTransitions() },
    cancelled: { on: endedTransitions() },
    expired: { on: endedTransitions() },
    deleted: { type: 'final' },
  },
});

/** What a processing job accepts in any of its working steps. */
function activeTransitions() {
  return {
    BatchSubmissionIntended: { target: '#job.processing.submitting', actions: 'evolve' },
    BatchSubmitted: { target: '#job.processing.waiting', actions: 'evolve' },
    BatchSubmissionAbandoned: { target: '#job.processing.submitting', actions: 'evolve' },
    BatchEnded: { target: '#job.processing.collecting', actions: 'evolve' },
    BatchResultsCollected: { target: '#job.processing.waiting', actions: 'evolve' },
    RetryScheduled: { target: '#job.processing.retrying', actions: 'evolve' },
    JobPaused: { target: '#job.paused', actions: 'evolve' },
    JobCancellationRequested: { target: '#job.processing.cancelling', actions: 'evolve' },
    JobCancelled: { target: '#job.cancelled', guard: 'nothingInFlight', actions: 'evolve' },
    JobCompleted: { target: '#job.completed', guard: 'nothingInFlight', actions: 'evolve' },
  } as const;
}

/** What an ended job accepts: its deletion, and a retry of some of its requests as a new job. */
function endedTransitions() {
  return {
    JobDeleted: { target: '#job.deleted', actions: 'evolve' },
    JobRetried: { actions: 'evolve' },
  } as const;
}

export type JobMachine = typeof jobMachine;
