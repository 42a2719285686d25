import type { JobStatus } from './job-status.js';
import type { ProgressCounts } from './progress.js';

/** Names the job a command is about, and the tenant asking: a tenant sees only its own jobs. */
interface JobAddress {
  jobId: string;
  tenant: string;
}

/** Cancel a job in any non-terminal state; batches in flight are cancelled at Anthropic first. */
export type CancelJob = { type: 'CancelJob'; data: JobAddress };
/** Pause a processing job: no new submissions or retries; what is on the way is still collected. */
export type PauseJob = { type: 'PauseJob'; data: JobAddress };
export type ResumeJob = { type: 'ResumeJob'; data: JobAddress };
/** Delete a job: it disappears from reads, its events stay in the log. */
export type DeleteJob = { type: 'DeleteJob'; data: JobAddress };
/** The seed's generic status change; `instanceId` is who starts a job set to processing. */
export type SetJobStatus = {
  type: 'SetJobStatus';
  data: JobAddress & { status: JobStatus; reason?: string | undefined; instanceId: string };
};
/** Progress reported by hand; counts left out keep their current value. */
export type RecordProgress = {
  type: 'RecordProgress';
  data: JobAddress & { progress: Partial<ProgressCounts> };
};
/**
 * A request's result or error given by hand. `request` is what the database
 * says of it, looked up before deciding: null when the job has no such request.
 */
export type RecordOutcome = {
  type: 'RecordOutcome';
  data: JobAddress & {
    customId: string;
    resultType: 'succeeded' | 'errored';
    request: { ordinal: number; isDuplicate: boolean; hasFinalResult: boolean } | null;
  };
};

/** Set, change or remove (null) a job's cap; raising it resumes a job paused for its budget. */
export type ChangeBudget = {
  type: 'ChangeBudget';
  data: JobAddress & { maxCostUsd: number | null };
};

/** Every command a client may give about one of its jobs, in the imperative. */
export type JobCommand =
  | CancelJob
  | PauseJob
  | ResumeJob
  | DeleteJob
  | SetJobStatus
  | RecordProgress
  | RecordOutcome
  | ChangeBudget;

export type JobCommandType = JobCommand['type'];

/**
 * The verb a refusal names: `cannot ${verb} a job that is queued`.
 * @example commandVerb({ type: 'PauseJob', data }) // 'pause'
 */
export function commandVerb(command: JobCommand): string {
  switch (command.type) {
    case 'CancelJob':
      return 'cancel';
    case 'PauseJob':
      return 'pause';
    case 'ResumeJob':
      return 'resume';
    case 'DeleteJob':
      return 'delete';
    case 'SetJobStatus':
      return `set status ${command.data.status} of`;
    case 'RecordProgress':
      return 'update the progress of';
    case 'RecordOutcome':
      return 'record a result of';
    case 'ChangeBudget':
      return 'change the budget of';
    default: {
      const unknownCommand: never = command;
      throw new Error(`unknown job command ${(unknownCommand as JobCommand).type}`);
    }
  }
}
