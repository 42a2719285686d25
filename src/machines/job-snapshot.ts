import { initialTransition, type SnapshotFrom, transition } from 'xstate';
import type { JobEvent } from '../domain/job.events.js';
import type { JobState } from '../domain/job.state.js';
import { type JobMachine, jobMachine } from './job.machine.js';

export type JobSnapshot = SnapshotFrom<JobMachine>;

/** A job as the runtime sees it: the machine's snapshot and the stream version it reflects. */
export interface HydratedJob {
  snapshot: JobSnapshot;
  state: JobState;
  version: number;
}

/** The machine before any event. */
export function emptySnapshot(): JobSnapshot {
  return initialTransition(jobMachine)[0];
}

/**
 * Folds events through the machine with the pure `transition`: no side
 * effects run, so replaying a log is safe. An event the machine refuses means
 * the log and the machine disagree, which is a bug worth stopping for.
 */
export function applyEvents(snapshot: JobSnapshot, events: readonly JobEvent[]): JobSnapshot {
  let current = snapshot;
  for (const event of events) {
    if (!current.can(event)) {
      throw new Error(`the job machine refuses ${event.type} in ${JSON.stringify(current.value)}`);
    }
    current = transition(jobMachine, current, event)[0];
  }
  return current;
}

/** Whether every event would be accepted, one after another, from this snapshot. */
export function accepts(snapshot: JobSnapshot, events: readonly JobEvent[]): boolean {
  let current = snapshot;
  for (const event of events) {
    if (!current.can(event)) return false;
    current = transition(jobMachine, current, event)[0];
  }
  return true;
}

/** The inner step of a processing job (`submitting`, `waiting`...), or null. */
export function stepOf(snapshot: JobSnapshot): string | null {
  const value = snapshot.value;
  if (typeof value === 'string') return null;
  const inner = Object.values(value)[0];
  return typeof inner === 'string' ? inner : null;
}

/** The job's state after `events`, or undefined when the machine would refuse them. */
export function stateAfter(job: HydratedJob, events: readonly JobEvent[]): JobState | undefined {
  if (!accepts(job.snapshot, events)) return undefined;
  return applyEvents(job.snapshot, events).context.job ?? undefined;
}
