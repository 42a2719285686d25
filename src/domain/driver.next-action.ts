import { heldBackRequests } from './cache-primes.js';
import type { JobEvent } from './job.events.js';
import { type BatchState, type JobState, openBatches, unfinishedRequests } from './job.state.js';
import { isTerminalStatus } from './job-status.js';

/** The timings a driver's decisions depend on (JobOptions' names). */
export interface DriverTimings {
  /** First wait between status polls of a batch; it grows by half up to pollMaxMs. */
  pollIntervalMs: number;
  pollMaxMs: number;
  reconcileAfterMs: number;
  submitTimeoutMs: number;
}

/** What the driver remembers between steps: when it looks at each batch next, and what it cancelled. */
export interface DriverMemory {
  /** Per Anthropic batch id: when to poll it next (ms) and the interval that led there. */
  readonly polls: ReadonlyMap<string, { at: number; interval: number }>;
  /** Batches whose cancellation was sent. */
  readonly cancelsSent: ReadonlySet<string>;
  /** The instance the driver runs on: a job it holds the lease of but another started is started again. */
  readonly self: string;
}

export const EMPTY_DRIVER_MEMORY: DriverMemory = {
  polls: new Map(),
  cancelsSent: new Set(),
  self: 'this-instance',
};

/**
 * The driver's next move, one of a few tagged actions that a small executor
 * performs. `let-go` gives the job's slot back (it ended, was deleted, or
 * waits for nothing this instance can do).
 */
export type DriverAction =
  | { kind: 'let-go'; why: 'ended' | 'deleted' | 'not-processing' | 'paused' }
  | { kind: 'start' }
  | { kind: 'cancel-batches'; batchIds: string[]; afterwards: 'let-go' | 'wait' }
  | { kind: 'reconcile-intent'; batch: BatchState }
  | { kind: 'poll'; batchIds: string[] }
  | { kind: 'collect'; batch: BatchState }
  | { kind: 'append'; events: JobEvent[] }
  | { kind: 'submit' }
  | { kind: 'finish' }
  | { kind: 'wait'; until: Date };

/**
 * Decides what a held job needs next from what its log says (`state`), the
 * time, and the driver's memory. Pure: the executor performs the action and
 * asks again.
 */
export function nextDriverAction(
  state: JobState,
  now: Date,
  memory: DriverMemory,
  timings: DriverTimings,
): DriverAction {
  const at = now.getTime();
  if (state.deleted) {
    const unsent = cancellable(state, memory);
    return unsent.length > 0
      ? { kind: 'cancel-batches', batchIds: unsent, afterwards: 'let-go' }
      : { kind: 'let-go', why: 'deleted' };
  }
  if (isTerminalStatus(state.status)) return { kind: 'let-go', why: 'ended' };
  // Claimed (queued), taken over or claimed again (another instance started it): say so first.
  // The JobStarted is the fence: the previous owner's next append fails on the version.
  if (state.status === 'queued') return { kind: 'start' };
  if (state.status !== 'processing' && state.status !== 'paused') {
    return { kind: 'let-go', why: 'not-processing' };
  }
  if (state.owner !== memory.self) return { kind: 'start' };

  const intended = state.batches.find((b) => b.status === 'intended');
  if (intended) {
    const lookAt = Date.parse(intended.intendedAt) + timings.reconcileAfterMs;
    return at < lookAt
      ? { kind: 'wait', until: new Date(lookAt) }
      : { kind: 'reconcile-intent', batch: intended };
  }

  const due = state.batches
    .filter((b) => b.status === 'submitted' && (memory.polls.get(b.batchId!)?.at ?? 0) <= at)
    .map((b) => b.batchId!);
  if (due.length > 0) return { kind: 'poll', batchIds: due };

  const ended = state.batches.find((b) => b.status === 'ended');
  if (ended) return { kind: 'collect', batch: ended };

  const ending = state.cancelRequestedAt !== null || at >= Date.parse(state.expiresAt);
  if (ending) {
    if (openBatches(state).length > 0) {
      const unsent = cancellable(state, memory);
      return unsent.length > 0
        ? { kind: 'cancel-batches', batchIds: unsent, afterwards: 'wait' }
        : { kind: 'wait', until: nextLook(state, now, memory, timings.pollMaxMs) };
    }
    const unfinished = unfinishedRequests(state);
    const stamp = now.toISOString();
    return {
      kind: 'append',
      events: [
        state.cancelRequestedAt
          ? { type: 'JobCancelled', data: { at: stamp, unfinished } }
          : { type: 'JobExpired', data: { at: stamp, unfinished } },
      ],
    };
  }

  if (state.status === 'paused') {
    // Nothing on the way: give the slot back. A resumed job is claimed again like a queued one.
    return openBatches(state).length === 0
      ? { kind: 'let-go', why: 'paused' }
      : { kind: 'wait', until: nextLook(state, now, memory, timings.pollMaxMs) };
  }

  if (state.retryDueAt && Date.parse(state.retryDueAt) > at) {
    return {
      kind: 'wait',
      until: nextLook(state, now, memory, Date.parse(state.retryDueAt) - at),
    };
  }
  if (sendableRequests(state) > 0) return { kind: 'submit' };
  if (openBatches(state).length === 0) return { kind: 'finish' };
  return { kind: 'wait', until: nextLook(state, now, memory, timings.pollMaxMs) };
}

/**
 * Requests with no final outcome that are not on their way: the ones to send next. Those held
 * back behind a cache prime on its way are not (the job waits for the prime's batch).
 */
export function sendableRequests(state: JobState): number {
  const held = heldBackRequests(state.cachePrimes);
  return Math.max(0, unfinishedRequests(state) - state.inFlight - held);
}

/** After a poll that found the batch still running: when to look again (the interval grows by half). */
export function nextPoll(
  previous: { interval: number } | undefined,
  now: Date,
  timings: DriverTimings,
): { at: number; interval: number } {
  const interval = Math.min(
    (previous?.interval ?? timings.pollIntervalMs / 1.5) * 1.5,
    timings.pollMaxMs,
  );
  return { at: now.getTime() + interval, interval };
}

/** What Anthropic's batch list told about an intent that has no batch id. */
export type IntentFinding =
  | { kind: 'found'; batchId: string }
  | { kind: 'absent' }
  | { kind: 'undecided' };

/**
 * An intent with no batch id (the process stopped, or lost its connection,
 * between recording it and hearing Anthropic's answer): adopt the batch if
 * Anthropic has it; give the requests back only once its sender (perhaps a
 * stale owner) can no longer be out with it.
 */
export function decideIntentFinding(
  batch: BatchState,
  finding: IntentFinding,
  now: Date,
  timings: DriverTimings,
): { kind: 'append'; events: JobEvent[] } | { kind: 'wait'; until: Date } {
  const at = now.toISOString();
  if (finding.kind === 'found') {
    return {
      kind: 'append',
      events: [
        {
          type: 'BatchSubmitted',
          data: { batchKey: batch.batchKey, batchId: finding.batchId, at, adopted: true },
        },
      ],
    };
  }
  if (finding.kind === 'undecided') {
    return { kind: 'wait', until: new Date(now.getTime() + timings.pollMaxMs) };
  }
  const conclusiveAt =
    Date.parse(batch.intendedAt) + timings.submitTimeoutMs + timings.reconcileAfterMs;
  if (now.getTime() < conclusiveAt) return { kind: 'wait', until: new Date(conclusiveAt) };
  return {
    kind: 'append',
    events: [
      {
        type: 'BatchSubmissionAbandoned',
        data: { batchKey: batch.batchKey, reason: 'not found at Anthropic', at },
      },
    ],
  };
}

function cancellable(state: JobState, memory: DriverMemory): string[] {
  return openBatches(state)
    .filter((b) => b.status === 'submitted' && b.batchId && !memory.cancelsSent.has(b.batchId))
    .map((b) => b.batchId!);
}

/** The earliest of: an open batch's next poll, `fallbackMs` from now, the job's deadline. */
export function nextLook(
  state: JobState,
  now: Date,
  memory: DriverMemory,
  fallbackMs: number,
): Date {
  const at = now.getTime();
  const times = openBatches(state)
    .flatMap((b) => (b.batchId ? [memory.polls.get(b.batchId)?.at ?? at] : []))
    .concat(at + fallbackMs, Date.parse(state.expiresAt));
  return new Date(Math.max(at, Math.min(...times)));
}
