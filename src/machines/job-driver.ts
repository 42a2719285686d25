import { AnthropicFailure, BatchCreationUnconfirmedError } from '../domain/anthropic.errors.js';
import type { Clock } from '../domain/clock.js';
import {
  type DriverAction,
  decideIntentFinding,
  nextDriverAction,
  nextLook,
  nextPoll,
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
import { withPercentComplete } from '../domain/progress.js';
import { releaseLease } from '../store/jobs/job-leases.js';
import { countWaitingDuplicates, takeSendableRequests } from '../store/jobs/job-requests.js';
import { countJobOutcomes } from '../store/jobs/request-results.js';
import type { Db, Trx } from '../store/schema/index.js';
import type { BatchApi } from './batch-api.port.js';
import type { BatchStatusBoard } from './batch-status-board.js';
import { collectBatchResults } from './collect-batch-results.js';
import { findIntendedBatch } from './find-intended-batch.js';
import { sentCustomId } from './job-ids.js';
import type { JobOptions } from './job-options.js';
import { accepts, applyEvents, type HydratedJob } from './job-snapshot.js';
import { type CommitContext, commitJobEvents, loadJob } from './job-store.js';

export interface DriverDeps {
  db: Db;
  api: BatchApi;
  /** The instance's shared view of batch states (one list call for every job it follows). */
  board: BatchStatusBoard;
  /** Requests waiting at Anthropic across every job and instance (may be a little stale). */
  requestsInFlight: () => Promise<number>;
  /** Told how many requests this instance just sent, so the count above stays near the truth. */
  sent?: ((requests: number) => void) | undefined;
  clock: Clock;
  options: JobOptions;
  context: CommitContext;
  /** Told after each commit (the manager emits its events from it). */
  onCommitted?: ((before: JobState, after: JobState) => void) | undefined;
  log?: ((message: string, fields?: Record<string, unknown>) => void) | undefined;
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

/** This instance no longer owns the job: another took it over (its JobStarted is in the log). */
export class LeaseLostError extends Error {
  constructor(readonly jobId: string) {
    super(`job ${jobId} was taken over by another instance`);
    this.name = 'LeaseLostError';
  }
}

/** Polls in a row that did not find a batch before the job fails for it. */
const MISSES_BEFORE_FAILING = 3;

/**
 * Moves one job forward, keeping it live: the job as its log says (snapshot
 * and version) stays in memory and each commit of the driver's own moves it
 * on; it is read from the log again only after another writer got there
 * first. The next move is decided by the pure `nextDriverAction`; this class
 * performs it. Each step does at most one thing at Anthropic and commits what
 * it learnt, so a crash between steps loses nothing and a restart carries on.
 */
export class JobDriver {
  readonly #deps: DriverDeps;
  readonly jobId: string;
  #job: HydratedJob | undefined;
  readonly #polls = new Map<string, { at: number; interval: number }>();
  readonly #cancelsSent = new Set<string>();
  readonly #misses = new Map<string, number>();
  /** Whether this instance's JobStarted is in the log (then another owner means a takeover). */
  #started = false;
  /** Set by invalidate(): a commit still under way must not bring back what it read before. */
  #invalidated = false;
  #backoffUntil = 0;
  #backoffMs = 0;

  constructor(deps: DriverDeps, jobId: string, job?: HydratedJob) {
    this.#deps = deps;
    this.jobId = jobId;
    this.#job = job;
    if (job?.state.owner === deps.context.instanceId) this.#started = true;
  }

  /** Another writer changed the job (a command): read it from the log before the next step. */
  invalidate(): void {
    this.#job = undefined;
    this.#invalidated = true;
  }

  /** Takes one step; errors from Anthropic that may pass are waited out with backoff. */
  async step(): Promise<NextStep> {
    const now = this.#deps.clock.now();
    if (now.getTime() < this.#backoffUntil) return { kind: 'at', at: new Date(this.#backoffUntil) };
    try {
      const next = await this.#step(now);
      this.#backoffMs = 0;
      return next;
    } catch (error) {
      if (error instanceof LeaseLostError) return { kind: 'lost' };
      if (error instanceof ConcurrencyError) return { kind: 'now' };
      if (error instanceof UnknownJobEventError) throw error;
      // Whatever failed may have changed the log under us (a command, a takeover): read it again.
      this.#job = undefined;
      if (error instanceof BatchCreationUnconfirmedError) {
        // The batch may exist: the intent stays, and is reconciled once Anthropic can list it.
        return { kind: 'at', at: new Date(now.getTime() + this.#deps.options.reconcileAfterMs) };
      }
      if (error instanceof AnthropicFailure && !error.retryable) {
        return this.#fail(`Anthropic refused: ${error.type}: ${error.message}`);
      }
      this.#backoffMs = Math.min(Math.max(this.#backoffMs * 2, 1000), 60_000);
      const wait =
        error instanceof AnthropicFailure && error.retryAfterMs
          ? Math.max(error.retryAfterMs, this.#backoffMs)
          : this.#backoffMs;
      this.#backoffUntil = now.getTime() + wait;
      this.#deps.log?.('job step failed; backing off', {
        jobId: this.jobId,
        waitMs: wait,
        error: String(error),
      });
      return { kind: 'at', at: new Date(this.#backoffUntil) };
    }
  }

  async #step(now: Date): Promise<NextStep> {
    const job = await this.#current();
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
    return { polls: this.#polls, cancelsSent: this.#cancelsSent, self: this.#self };
  }

  get #self(): string {
    return this.#deps.context.instanceId;
  }

  /**
   * Records that this instance carries the job on (claimed, taken over, or claimed again after
   * a pause), in the same commit as its first sub-batch's intent when that comes next.
   */
  async #start(job: HydratedJob, now: Date): Promise<NextStep> {
    const started: JobEvent = {
      type: 'JobStarted',
      data: { at: now.toISOString(), instanceId: this.#self },
    };
    const after = this.#preview(job, [started]);
    if (after && this.#decide(after, now).kind === 'submit') {
      return this.#afterSubmit(job, await this.#submit(job, now, [started]), now);
    }
    return this.#commit(job, [started]);
  }

  async #current(): Promise<HydratedJob | undefined> {
    // Invalidated while reading: what was read may predate the change, so read again.
    while (!this.#job) {
      this.#invalidated = false;
      const job = await loadJob(this.#deps.db, this.jobId);
      if (!job) return undefined;
      if (job.state.owner === this.#self) this.#started = true;
      if (!this.#invalidated) this.#job = job;
    }
    return this.#job;
  }

  /** Looks at the batches due, through the board; an ended one is collected at once. */
  async #poll(job: HydratedJob, batchIds: readonly string[], now: Date): Promise<NextStep> {
    const seen = await this.#deps.board.look(batchIds);
    for (const batchId of batchIds) {
      const remote = seen.get(batchId);
      const batch = job.state.batches.find((b) => b.batchId === batchId)!;
      if (!remote) {
        const misses = (this.#misses.get(batchId) ?? 0) + 1;
        this.#misses.set(batchId, misses);
        if (misses >= MISSES_BEFORE_FAILING) {
          return this.#fail(`Anthropic does not know batch ${batchId} (of ${batch.batchKey})`);
        }
      } else if (remote.processing_status === 'ended') {
        this.#polls.delete(batchId);
        this.#misses.delete(batchId);
        const ended: JobEvent = {
          type: 'BatchEnded',
          data: {
            batchKey: batch.batchKey,
            batchId,
            at: now.toISOString(),
            resultsUrl: remote.results_url ?? undefined,
          },
        };
        return this.#collect(
          job,
          { ...batch, resultsUrl: remote.results_url ?? null },
          [ended],
          now,
        );
      }
      this.#polls.set(batchId, nextPoll(this.#polls.get(batchId), now, this.#deps.options));
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

  /** Sends the next sub-batch if there is room; `prefix` events are committed with its intent. */
  async #submit(
    job: HydratedJob,
    now: Date,
    prefix: JobEvent[] = [],
  ): Promise<'sent' | 'no-room' | 'nothing-to-send'> {
    const { options, api } = this.#deps;
    const room = options.maxRequestsInFlight - (await this.#deps.requestsInFlight());
    if (room <= 0) {
      if (prefix.length > 0) await this.#commit(job, prefix);
      return 'no-room';
    }
    const batchKey = `b${job.state.batches.length + 1}`;
    const attempt = job.state.retryCount + 1;
    const taken = await this.#transaction(async (trx) => {
      const chosen = await takeSendableRequests(
        trx,
        job.state.id,
        batchKey,
        Math.min(room, options.maxBatchRequests),
        options.maxBatchBytes,
      );
      const intent: JobEvent[] =
        chosen.length === 0
          ? []
          : [
              {
                type: 'BatchSubmissionIntended',
                data: { batchKey, attempt, requestCount: chosen.length, at: now.toISOString() },
              },
            ];
      if (prefix.length + intent.length === 0) return undefined;
      return { chosen, intent: await this.#commitIn(trx, job, [...prefix, ...intent]) };
    });
    if (taken) this.#committed(job, taken.intent);
    if (!taken || taken.chosen.length === 0) return 'nothing-to-send';
    this.#deps.sent?.(taken.chosen.length);

    const requests = taken.chosen.map((c) => ({
      custom_id: sentCustomId(job.state.id, c.ordinal),
      params: c.params,
    }));
    let batchId: string;
    try {
      const signal = AbortSignal.timeout(options.submitTimeoutMs);
      batchId = (await api.createBatch(requests, { signal })).id;
    } catch (error) {
      // The batch may exist: leave the intent for reconciliation, never send blindly again.
      if (error instanceof BatchCreationUnconfirmedError) throw error;
      const reason =
        error instanceof AnthropicFailure ? `${error.type}: ${error.message}` : String(error);
      await this.#commit(
        taken.intent,
        [
          {
            type: 'BatchSubmissionAbandoned',
            data: { batchKey, reason, at: this.#deps.clock.now().toISOString() },
          },
        ],
        now,
      );
      throw error;
    }
    await this.#recordSubmitted(taken.intent, batchKey, batchId);
    return 'sent';
  }

  /**
   * After a submission: go on at once when a batch went out. With no room at Anthropic, wait
   * for batches to end. With nothing to send although the log counts some (their outcomes were
   * recorded otherwise), finish once nothing is on the way.
   */
  #afterSubmit(
    job: HydratedJob,
    outcome: 'sent' | 'no-room' | 'nothing-to-send',
    now: Date,
  ): Promise<NextStep> | NextStep {
    if (outcome === 'sent') return { kind: 'now' };
    const state = this.#job?.state ?? job.state;
    if (outcome === 'nothing-to-send' && openBatches(state).length === 0) {
      return this.#finish(this.#job ?? job, now);
    }
    const fallback =
      outcome === 'no-room' ? this.#deps.options.pollIntervalMs : this.#deps.options.pollMaxMs;
    return { kind: 'at', at: nextLook(state, now, this.#memory(), fallback) };
  }

  /**
   * Records the batch Anthropic created. A command (cancel, pause) appended since the intent makes
   * the first commit a ConcurrencyError: the job is then read again and the batch recorded on it,
   * so its id is never dropped (an intent without one goes to reconciliation, which waits for the
   * batch to end when other batches of its size are in flight).
   */
  async #recordSubmitted(job: HydratedJob, batchKey: string, batchId: string): Promise<void> {
    for (let current = job; ; ) {
      try {
        const at = this.#deps.clock.now().toISOString();
        await this.#commit(current, [{ type: 'BatchSubmitted', data: { batchKey, batchId, at } }]);
        return;
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error;
        const fresh = this.#job;
        const intended = fresh?.state.batches.find((b) => b.batchKey === batchKey);
        if (!fresh || intended?.status !== 'intended') return;
        current = fresh;
      }
    }
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
    const events = await this.#completion(job.state, now);
    if (!events) return { kind: 'done' };
    return this.#commit(job, events, now);
  }

  /** JobCompleted with the job's final counts, or undefined while duplicates still wait. */
  async #completion(state: JobState, now: Date): Promise<JobEvent[] | undefined> {
    let counts = {
      succeeded: state.outcomes.completed,
      errored: state.outcomes.failed,
      canceled: state.outcomes.cancelled,
      expired: state.outcomes.expired,
    };
    if (state.deduplicatedRequests > 0) {
      if ((await countWaitingDuplicates(this.#deps.db, state.id)) > 0) return undefined;
      counts = await countJobOutcomes(this.#deps.db, state.id);
    }
    const progress = withPercentComplete({
      total: state.totalRequests,
      pending: 0,
      processing: 0,
      completed: counts.succeeded,
      failed: counts.errored,
      cancelled: counts.canceled,
      expired: counts.expired,
    });
    return [{ type: 'JobCompleted', data: { at: now.toISOString(), progress } }];
  }

  async #cancel(batchIds: readonly string[]): Promise<void> {
    for (const batchId of batchIds) {
      await this.#deps.api.cancelBatch(batchId);
      this.#cancelsSent.add(batchId);
      // A cancelled batch ends soon: look again at the first interval, not the backed-off one.
      const interval = this.#deps.options.pollIntervalMs;
      this.#polls.set(batchId, { at: this.#deps.clock.now().getTime() + interval, interval });
    }
  }

  async #fail(reason: string): Promise<NextStep> {
    this.#job = undefined;
    const job = await this.#current();
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
   * Commits events in a transaction of their own. When they leave nothing more to do and the
   * completion needs nothing from the database, the job's completion goes with them; when the
   * job has ended, its lease goes too (one transaction, not three).
   */
  async #commit(job: HydratedJob, events: JobEvent[], now?: Date): Promise<NextStep> {
    const all = now ? [...events, ...this.#completionAfter(job, events, now)] : events;
    const next = await this.#transaction((trx) =>
      commitJobEvents(trx, job, all, this.#deps.context, undefined, async (trx, committed) => {
        if (isTerminalStatus(committed.state.status) || committed.state.deleted) {
          await releaseLease(trx, this.jobId, this.#deps.context.instanceId);
        }
      }),
    );
    this.#committed(job, next);
    return isTerminalStatus(next.state.status) ? { kind: 'done', released: true } : { kind: 'now' };
  }

  /** JobCompleted, if the events leave the job finished and its counts are known without a query. */
  #completionAfter(job: HydratedJob, events: JobEvent[], now: Date): JobEvent[] {
    if (job.state.deduplicatedRequests > 0) return [];
    const after = this.#preview(job, events);
    if (!after || this.#decide(after, now).kind !== 'finish') return [];
    const { completed, failed, cancelled, expired } = after.outcomes;
    const progress = withPercentComplete({
      total: after.totalRequests,
      pending: 0,
      processing: 0,
      completed,
      failed,
      cancelled,
      expired,
    });
    return [{ type: 'JobCompleted', data: { at: now.toISOString(), progress } }];
  }

  /** The job's state after `events`, or undefined when the machine would refuse them. */
  #preview(job: HydratedJob, events: JobEvent[]): JobState | undefined {
    if (!accepts(job.snapshot, events)) return undefined;
    return applyEvents(job.snapshot, events).context.job ?? undefined;
  }

  #commitIn(trx: Trx, job: HydratedJob, events: JobEvent[]): Promise<HydratedJob> {
    return commitJobEvents(trx, job, events, this.#deps.context);
  }

  /**
   * A transaction of the driver's. The fence is the version: an append at a version the log
   * has passed fails; then, once the transaction has rolled back (an embedded database has
   * one connection, which the transaction holds), the job is read again, and if another
   * instance has started it since, this one lets it go.
   */
  async #transaction<T>(work: (trx: Trx) => Promise<T>): Promise<T> {
    try {
      return await this.#deps.db.transaction().execute(work);
    } catch (error) {
      if (error instanceof ConcurrencyError) await this.#reload();
      throw error;
    }
  }

  /**
   * After a conflict: read the log again. Once this instance has started the job, another
   * owner in the log means it was taken over; before that, the next step starts it again.
   */
  async #reload(): Promise<void> {
    this.#invalidated = false;
    const fresh = await loadJob(this.#deps.db, this.jobId);
    this.#job = this.#invalidated ? undefined : fresh;
    const taken =
      fresh !== undefined &&
      fresh.state.owner !== this.#self &&
      !isTerminalStatus(fresh.state.status);
    if (taken && this.#started) throw new LeaseLostError(this.jobId);
  }

  #committed(before: HydratedJob, after: HydratedJob): void {
    if (after.state.owner === this.#self) this.#started = true;
    this.#job = this.#invalidated ? undefined : after;
    this.#deps.onCommitted?.(before.state, after.state);
  }
}
