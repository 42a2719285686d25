import { AnthropicFailure, BatchCreationUnconfirmedError } from '../domain/anthropic.errors.js';
import {
  type DriverAction,
  decideIntentFinding,
  nextDriverAction,
  nextLook,
} from '../domain/driver.next-action.js';
import { ConcurrencyError } from '../domain/errors.js';
import type { JobEvent } from '../domain/job.events.js';
import {
  type BatchState,
  type JobState,
  openBatches,
  unfinishedRequests,
} from '../domain/job.state.js';
import { UnknownJobEventError } from '../domain/job-event.upcast.js';
import { isTerminalStatus } from '../domain/job-status.js';
import { doublingDelay } from '../support/backoff.js';
import { BatchPolling } from './batch-polling.js';
import type { BatchStatusBoard } from './batch-status-board.js';
import { collectBatchResults } from './collect-batch-results.js';
import { findIntendedBatch } from './find-intended-batch.js';
import { completion, jobCompleted } from './job-completion.js';
import { type HydratedJob, stateAfter } from './job-snapshot.js';
import { LeaseLostError, LiveJob, type LiveJobDeps } from './live-job.js';
import { type SubmitDeps, type SubmitOutcome, submitNextBatch } from './submit-batch.js';
import type { WorkerLog } from './worker-log.js';

/** What a driver works with: the submission's and the live job's, and the instance's board. */
export interface DriverDeps extends Omit<SubmitDeps, 'commit'>, LiveJobDeps {
  /** The instance's shared view of batch states (one list call for every job it follows). */
  board: BatchStatusBoard;
  log?: WorkerLog | undefined;
}

/**
 * What the driver wants next: another step at once, one at a time, nothing (the job
 * needs this instance no more; `released` when its lease went with its last commit),
 * or to let go (another instance took the job over).
 */
export type NextStep =
  | { kind: 'now' }
  | { kind: 'at'; at: Date }
  | { kind: 'done'; released?: boolean }
  | { kind: 'lost' };

/**
 * Moves one job forward, keeping it live (LiveJob: the job as its log says, moved on by each
 * commit of the driver's own). The next move is decided by the pure `nextDriverAction`; this
 * class performs it: submission in submit-batch.ts, collection in collect-batch-results.ts,
 * the commit and its fence in live-job.ts. Each step does at most one thing at Anthropic and
 * commits what it learnt, so a crash between steps loses nothing and a restart carries on.
 */
export class JobDriver {
  readonly #deps: DriverDeps;
  readonly jobId: string;
  readonly #live: LiveJob;
  readonly #batches = new BatchPolling();
  /** Steps in a row that failed for a reason that may pass (their backoff doubles). */
  #failures = 0;
  #backoffUntil = 0;

  constructor(deps: DriverDeps, jobId: string, job?: HydratedJob) {
    this.#deps = deps;
    this.jobId = jobId;
    this.#live = new LiveJob(deps, jobId, job);
  }

  /** Another writer changed the job (a command): read it from the log before the next step. */
  invalidate(): void {
    this.#live.invalidate();
  }

  /** Takes one step; errors from Anthropic that may pass are waited out with backoff. */
  async step(): Promise<NextStep> {
    const now = this.#deps.clock.now();
    if (now.getTime() < this.#backoffUntil) return { kind: 'at', at: new Date(this.#backoffUntil) };
    try {
      const next = await this.#step(now);
      this.#failures = 0;
      return next;
    } catch (error) {
      if (error instanceof LeaseLostError) return { kind: 'lost' };
      if (error instanceof ConcurrencyError) return { kind: 'now' };
      if (error instanceof UnknownJobEventError) throw error;
      // Whatever failed may have changed the log under us (a command, a takeover): read it again.
      this.#live.forget();
      if (error instanceof BatchCreationUnconfirmedError) {
        // The batch may exist: the intent stays, and is reconciled once Anthropic can list it.
        return { kind: 'at', at: new Date(now.getTime() + this.#deps.options.reconcileAfterMs) };
      }
      if (error instanceof AnthropicFailure && !error.retryable) {
        return this.#fail(`Anthropic refused: ${error.type}: ${error.message}`);
      }
      this.#failures += 1;
      const backoffMs = doublingDelay(this.#failures - 1, 1000, 60_000);
      const wait =
        error instanceof AnthropicFailure && error.retryAfterMs
          ? Math.max(error.retryAfterMs, backoffMs)
          : backoffMs;
      this.#backoffUntil = now.getTime() + wait;
      this.#deps.log?.(
        'job step failed; backing off',
        { jobId: this.jobId, waitMs: wait, error: String(error) },
        'warn',
      );
      return { kind: 'at', at: new Date(this.#backoffUntil) };
    }
  }

  async #step(now: Date): Promise<NextStep> {
    const job = await this.#live.current();
    if (!job) return { kind: 'done' };
    const action = this.#decide(job.state, now);
    switch (action.kind) {
      case 'let-go':
        return { kind: 'done' };
      case 'start':
        return this.#start(job, now);
      case 'wait':
        return { kind: 'at', at: action.until };
      case 'cancel-batches':
        await this.#cancel(action.batchIds);
        return action.afterwards === 'let-go' ? { kind: 'done' } : { kind: 'now' };
      case 'reconcile-intent':
        return this.#reconcileIntent(job, action.batch, now);
      case 'poll':
        return this.#poll(job, action.batchIds, now);
      case 'collect':
        return this.#collect(job, action.batch, [], now);
      case 'append':
        return this.#commit(job, action.events, now);
      case 'submit':
        return this.#afterSubmit(job, await this.#submit(job, now), now);
      case 'finish':
        return this.#finish(job, now);
      default: {
        const unknown: never = action;
        throw new Error(`unknown driver action ${JSON.stringify(unknown)}`);
      }
    }
  }

  #decide(state: JobState, now: Date): DriverAction {
    return nextDriverAction(state, now, this.#memory(), this.#deps.options);
  }

  #memory() {
    return this.#batches.memory(this.#live.self);
  }

  /**
   * Records that this instance carries the job on (claimed, taken over, or claimed again after
   * a pause), in the same commit as its first sub-batch's intent when that comes next.
   */
  async #start(job: HydratedJob, now: Date): Promise<NextStep> {
    const started: JobEvent = {
      type: 'JobStarted',
      data: { at: now.toISOString(), instanceId: this.#live.self },
    };
    const after = stateAfter(job, [started]);
    if (after && this.#decide(after, now).kind === 'submit') {
      return this.#afterSubmit(job, await this.#submit(job, now, [started]), now);
    }
    return this.#commit(job, [started]);
  }

  #submit(job: HydratedJob, now: Date, prefix: JobEvent[] = []): Promise<SubmitOutcome> {
    const commit = (job: HydratedJob, events: JobEvent[], now?: Date) =>
      this.#commit(job, events, now);
    return submitNextBatch({ ...this.#deps, commit }, this.#live, job, now, prefix);
  }

  /** Looks at the batches due, through the board; an ended one is collected at once. */
  async #poll(job: HydratedJob, batchIds: readonly string[], now: Date): Promise<NextStep> {
    const { board, options } = this.#deps;
    const found = await this.#batches.look(board, job.state, batchIds, now, options);
    if (found.kind === 'ended') return this.#collect(job, found.batch, [found.ended], now);
    if (found.kind === 'gone') {
      const { batchId, batchKey } = found.batch;
      return this.#fail(`Anthropic does not know batch ${batchId} (of ${batchKey})`);
    }
    return { kind: 'now' };
  }

  /**
   * Streams a batch's results into the results table and commits what they were, with the
   * batch's end when it was only just seen, and the job's completion when nothing is left.
   */
  async #collect(
    job: HydratedJob,
    batch: BatchState,
    before: JobEvent[],
    now: Date,
  ): Promise<NextStep> {
    const collected = await collectBatchResults(this.#deps, job.state, batch, now);
    return this.#commit(job, [...before, ...collected], now);
  }

  /**
   * After a submission: go on at once when a batch went out. With no room at Anthropic, wait
   * for batches to end. With nothing to send although the log counts some (their outcomes were
   * recorded otherwise), finish once nothing is on the way.
   */
  #afterSubmit(job: HydratedJob, outcome: SubmitOutcome, now: Date): Promise<NextStep> | NextStep {
    // Over budget: the job is paused now; its next step says what that means (wait or let go).
    if (outcome === 'sent' || outcome === 'over-budget') return { kind: 'now' };
    const state = this.#live.known?.state ?? job.state;
    if (outcome === 'nothing-to-send' && openBatches(state).length === 0) {
      return this.#finish(this.#live.known ?? job, now);
    }
    const fallback =
      outcome === 'no-room' ? this.#deps.options.pollIntervalMs : this.#deps.options.pollMaxMs;
    return { kind: 'at', at: nextLook(state, now, this.#memory(), fallback) };
  }

  async #reconcileIntent(job: HydratedJob, batch: BatchState, now: Date): Promise<NextStep> {
    const finding = await findIntendedBatch(this.#deps, {
      jobId: this.jobId,
      batchKey: batch.batchKey,
      requestCount: batch.requestCount,
      intendedAt: new Date(batch.intendedAt),
    });
    const decision = decideIntentFinding(batch, finding, now, this.#deps.options);
    if (decision.kind === 'wait') return { kind: 'at', at: decision.until };
    const next = await this.#commit(job, decision.events, now);
    const adopted = decision.events[0]?.type === 'BatchSubmitted' ? decision.events[0] : undefined;
    if (adopted) {
      this.#deps.log?.('adopted a batch found at Anthropic for an unconfirmed submission', {
        jobId: this.jobId,
        batchId: adopted.data.batchId,
      });
    }
    return next;
  }

  /**
   * Every request has its outcome and nothing is on the way: the job is completed, unless
   * some of its duplicates still wait for other jobs' originals — then its slot is given
   * back, or jobs like it could take every slot while the jobs holding the originals stay
   * queued. It is claimed again once they all have their outcome (claimQueuedJobs).
   */
  async #finish(job: HydratedJob, now: Date): Promise<NextStep> {
    const events = await completion(this.#deps.db, job.state, now);
    if (!events) return { kind: 'done' };
    return this.#commit(job, events, now);
  }

  async #cancel(batchIds: readonly string[]): Promise<void> {
    for (const batchId of batchIds) {
      await this.#deps.api.cancelBatch(batchId);
      const nowMs = this.#deps.clock.now().getTime();
      this.#batches.cancelSent(batchId, nowMs, this.#deps.options.pollIntervalMs);
    }
  }

  async #fail(reason: string): Promise<NextStep> {
    this.#live.forget();
    const job = await this.#live.current();
    if (!job || job.state.deleted || isTerminalStatus(job.state.status)) return { kind: 'done' };
    const at = this.#deps.clock.now().toISOString();
    try {
      return await this.#commit(job, [
        { type: 'JobFailed', data: { at, reason, unfinished: unfinishedRequests(job.state) } },
      ]);
    } catch (error) {
      if (error instanceof LeaseLostError) return { kind: 'lost' };
      if (error instanceof ConcurrencyError) return { kind: 'now' };
      throw error;
    }
  }

  /**
   * Commits events. With `now`, when they leave nothing more to do and the completion needs
   * nothing from the database, the job's completion goes with them; when the job has ended,
   * its lease goes too (one transaction, not three).
   */
  async #commit(job: HydratedJob, events: JobEvent[], now?: Date): Promise<NextStep> {
    const all = now ? [...events, ...this.#completionAfter(job, events, now)] : events;
    const next = await this.#live.commit(job, all);
    return isTerminalStatus(next.state.status) ? { kind: 'done', released: true } : { kind: 'now' };
  }

  /** JobCompleted, if the events leave the job finished and its counts are known without a query. */
  #completionAfter(job: HydratedJob, events: JobEvent[], now: Date): JobEvent[] {
    if (job.state.deduplicatedRequests > 0) return [];
    const after = stateAfter(job, events);
    if (!after || this.#decide(after, now).kind !== 'finish') return [];
    return [jobCompleted(after.totalRequests, after.outcomes, now)];
  }
}
