import { AnthropicFailure, BatchCreationUnconfirmedError } from '../domain/anthropic.errors.js';
import type { Clock } from '../domain/clock.js';
import { ConcurrencyError } from '../domain/errors.js';
import type { JobEvent } from '../domain/job.events.js';
import {
  type BatchState,
  type JobState,
  openBatches,
  unfinishedRequests,
} from '../domain/job.state.js';
import { isTerminalStatus } from '../domain/job-status.js';
import { withPercentComplete } from '../domain/progress.js';
import { holdsLease } from '../store/jobs/job-leases.js';
import {
  countWaitingDuplicates,
  insertBatchRequests,
  selectSendableRequests,
} from '../store/jobs/job-requests.js';
import { countJobOutcomes, countRequestsInFlight } from '../store/jobs/request-results.js';
import type { Db, Trx } from '../store/schema/index.js';
import type { BatchApi } from './batch-api.port.js';
import { collectBatchResults } from './collect-batch-results.js';
import { findIntendedBatch } from './find-intended-batch.js';
import { sentCustomId } from './job-ids.js';
import type { JobOptions } from './job-options.js';
import type { HydratedJob } from './job-snapshot.js';
import { type CommitContext, commitJobEvents, loadJob } from './job-store.js';

export interface DriverDeps {
  db: Db;
  api: BatchApi;
  clock: Clock;
  options: JobOptions;
  context: CommitContext;
  /** Told after each commit (the manager emits its events from it). */
  onCommitted?: ((before: JobState, after: JobState) => void) | undefined;
  log?: ((message: string, fields?: Record<string, unknown>) => void) | undefined;
}

/**
 * What the driver wants next: another step at once, one at a time, nothing (the job is
 * done), or to let go (another instance took the job over).
 */
export type NextStep =
  | { kind: 'now' }
  | { kind: 'at'; at: Date }
  | { kind: 'done' }
  | { kind: 'lost' };

/** This instance no longer holds the job's lease: it must write nothing more about the job. */
export class LeaseLostError extends Error {
  constructor(readonly jobId: string) {
    super(`the lease of ${jobId} is held by another instance`);
    this.name = 'LeaseLostError';
  }
}

/**
 * Moves one job forward a step at a time, reading where it is from the log.
 * Each step does at most one thing at Anthropic and commits what it learnt,
 * so a crash between steps loses nothing and a restart carries on.
 */
export class JobDriver {
  readonly #deps: DriverDeps;
  readonly jobId: string;
  readonly #polls = new Map<string, { at: number; interval: number }>();
  readonly #cancelSent = new Set<string>();
  #backoffUntil = 0;
  #backoffMs = 0;

  constructor(deps: DriverDeps, jobId: string) {
    this.#deps = deps;
    this.jobId = jobId;
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
    const job = await loadJob(this.#deps.db, this.jobId);
    if (!job) return { kind: 'done' };
    const state = job.state;
    if (state.deleted) {
      await this.#cancelOpenBatches(state);
      return { kind: 'done' };
    }
    if (isTerminalStatus(state.status)) return { kind: 'done' };
    if (state.status !== 'processing' && state.status !== 'paused') return { kind: 'done' };

    const intended = state.batches.find((b) => b.status === 'intended');
    if (intended) return this.#reconcileIntent(job, intended, now);

    for (const batch of state.batches.filter((b) => b.status === 'submitted')) {
      const poll = this.#polls.get(batch.batchId!);
      if (poll && poll.at > now.getTime()) continue;
      const remote = await this.#deps.api.getBatchStatus(batch.batchId!);
      if (remote.processing_status === 'ended') {
        await this.#commit(job, [
          {
            type: 'BatchEnded',
            data: { batchKey: batch.batchKey, batchId: batch.batchId!, at: now.toISOString() },
          },
        ]);
        this.#polls.delete(batch.batchId!);
        return { kind: 'now' };
      }
      const interval = Math.min(
        (poll?.interval ?? this.#deps.options.pollIntervalMs / 1.5) * 1.5,
        this.#deps.options.pollMaxMs,
      );
      this.#polls.set(batch.batchId!, { at: now.getTime() + interval, interval });
    }

    const ended = state.batches.find((b) => b.status === 'ended');
    if (ended) {
      await this.#collect(job, ended, now);
      return { kind: 'now' };
    }

    const ending = state.cancelRequestedAt !== null || now.getTime() >= Date.parse(state.expiresAt);
    if (ending) {
      const open = openBatches(state);
      if (open.length > 0) {
        await this.#cancelOpenBatches(state);
        return this.#nextPoll(state, now);
      }
      const at = now.toISOString();
      const unfinished = unfinishedRequests(state);
      const event: JobEvent = state.cancelRequestedAt
        ? { type: 'JobCancelled', data: { at, unfinished } }
        : { type: 'JobExpired', data: { at, unfinished } };
      await this.#commit(job, [event]);
      return { kind: 'done' };
    }

    if (state.status === 'paused') {
      // Nothing on the way: give the slot back. A resumed job is claimed again like a queued one.
      if (openBatches(state).length === 0) return { kind: 'done' };
      return this.#nextPoll(state, now);
    }

    if (state.retryDueAt && Date.parse(state.retryDueAt) > now.getTime()) {
      return this.#nextPoll(state, now, Date.parse(state.retryDueAt) - now.getTime());
    }

    if (await this.#submitNext(job, now)) return { kind: 'now' };

    if (openBatches(state).length === 0 && unfinishedRequests(state) === 0) {
      if ((await countWaitingDuplicates(this.#deps.db, state.id)) > 0) {
        // Only other jobs' originals are left to wait for: give the slot back, or jobs like
        // this one could take every slot while the jobs holding the originals stay queued.
        // It is claimed again once they all have their outcome (claimQueuedJobs).
        return { kind: 'done' };
      }
      const counts = await countJobOutcomes(this.#deps.db, state.id);
      const progress = withPercentComplete({
        total: state.totalRequests,
        pending: 0,
        processing: 0,
        completed: counts.succeeded,
        failed: counts.errored,
        cancelled: counts.canceled,
        expired: counts.expired,
      });
      await this.#commit(job, [
        { type: 'JobCompleted', data: { at: now.toISOString(), progress } },
      ]);
      return { kind: 'done' };
    }
    return this.#nextPoll(state, now);
  }

  /** Sends the next sub-batch if there is room; true when it sent one. */
  async #submitNext(job: HydratedJob, now: Date): Promise<boolean> {
    const { db, options, api } = this.#deps;
    const room = options.maxRequestsInFlight - (await countRequestsInFlight(db));
    if (room <= 0) return false;
    const candidates = await selectSendableRequests(
      db,
      job.state.id,
      Math.min(room, options.maxBatchRequests),
    );
    if (candidates.length === 0) return false;
    let bytes = 0;
    const chosen = candidates.filter((c) => {
      bytes += c.bytes + 100;
      return bytes <= options.maxBatchBytes;
    });
    if (chosen.length === 0) chosen.push(candidates[0]!);

    const batchKey = `b${job.state.batches.length + 1}`;
    const attempt = job.state.retryCount + 1;
    const intent = await db.transaction().execute(async (trx) => {
      await insertBatchRequests(
        trx,
        job.state.id,
        batchKey,
        chosen.map((c) => c.ordinal),
      );
      const committed = await commitJobEvents(
        trx,
        job,
        [
          {
            type: 'BatchSubmissionIntended',
            data: { batchKey, attempt, requestCount: chosen.length, at: now.toISOString() },
          },
        ],
        this.#deps.context,
      );
      await this.#assertLeaseHeld(trx);
      return committed;
    });
    this.#deps.onCommitted?.(job.state, intent.state);

    const requests = chosen.map((c) => ({
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
      await this.#commit(intent, [
        {
          type: 'BatchSubmissionAbandoned',
          data: { batchKey, reason, at: this.#deps.clock.now().toISOString() },
        },
      ]);
      throw error;
    }
    await this.#recordSubmitted(intent, batchKey, batchId);
    return true;
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
        const fresh = await loadJob(this.#deps.db, this.jobId);
        const intended = fresh?.state.batches.find((b) => b.batchKey === batchKey);
        if (!fresh || intended?.status !== 'intended') return;
        current = fresh;
      }
    }
  }

  /**
   * An intent with no batch id: the process stopped (or lost its connection)
   * between recording the intent and hearing Anthropic's answer. Adopt the
   * batch if Anthropic has it; send again only when it has none.
   */
  async #reconcileIntent(job: HydratedJob, batch: BatchState, now: Date): Promise<NextStep> {
    const intendedAt = Date.parse(batch.intendedAt);
    const { reconcileAfterMs } = this.#deps.options;
    if (now.getTime() - intendedAt < reconcileAfterMs) {
      return { kind: 'at', at: new Date(intendedAt + reconcileAfterMs) };
    }
    const finding = await findIntendedBatch(this.#deps, {
      jobId: this.jobId,
      batchKey: batch.batchKey,
      requestCount: batch.requestCount,
      intendedAt: new Date(intendedAt),
    });
    if (finding.kind === 'undecided') {
      return { kind: 'at', at: new Date(now.getTime() + this.#deps.options.pollMaxMs) };
    }
    // Not listed yet is not absent while its sender (perhaps a stale owner) may still be out.
    const conclusiveAt = intendedAt + this.#deps.options.submitTimeoutMs + reconcileAfterMs;
    if (finding.kind === 'absent' && now.getTime() < conclusiveAt) {
      return { kind: 'at', at: new Date(conclusiveAt) };
    }
    if (finding.kind === 'found') {
      await this.#commit(job, [
        {
          type: 'BatchSubmitted',
          data: {
            batchKey: batch.batchKey,
            batchId: finding.batchId,
            at: now.toISOString(),
            adopted: true,
          },
        },
      ]);
      this.#deps.log?.('adopted a batch found at Anthropic for an unconfirmed submission', {
        jobId: this.jobId,
        batchId: finding.batchId,
      });
      return { kind: 'now' };
    }
    await this.#commit(job, [
      {
        type: 'BatchSubmissionAbandoned',
        data: { batchKey: batch.batchKey, reason: 'not found at Anthropic', at: now.toISOString() },
      },
    ]);
    return { kind: 'now' };
  }

  /** Streams a batch's results into the results table, then records what they were. */
  async #collect(job: HydratedJob, batch: BatchState, now: Date): Promise<void> {
    await this.#commit(job, await collectBatchResults(this.#deps, job.state, batch, now));
  }

  async #cancelOpenBatches(state: JobState): Promise<void> {
    for (const batch of openBatches(state)) {
      if (!batch.batchId || batch.status !== 'submitted' || this.#cancelSent.has(batch.batchId))
        continue;
      await this.#deps.api.cancelBatch(batch.batchId);
      this.#cancelSent.add(batch.batchId);
      // A cancelled batch ends soon: look again at the first interval, not the backed-off one.
      const interval = this.#deps.options.pollIntervalMs;
      this.#polls.set(batch.batchId, { at: this.#deps.clock.now().getTime() + interval, interval });
    }
  }

  async #fail(reason: string): Promise<NextStep> {
    const job = await loadJob(this.#deps.db, this.jobId);
    if (!job || job.state.deleted || isTerminalStatus(job.state.status)) return { kind: 'done' };
    const at = this.#deps.clock.now().toISOString();
    try {
      await this.#commit(job, [
        { type: 'JobFailed', data: { at, reason, unfinished: unfinishedRequests(job.state) } },
      ]);
    } catch (error) {
      if (error instanceof LeaseLostError) return { kind: 'lost' };
      if (error instanceof ConcurrencyError) return { kind: 'now' };
      throw error;
    }
    return { kind: 'done' };
  }

  #nextPoll(state: JobState, now: Date, fallbackMs = this.#deps.options.pollMaxMs): NextStep {
    const times = openBatches(state)
      .flatMap((b) => (b.batchId ? [this.#polls.get(b.batchId)?.at ?? now.getTime()] : []))
      .concat(now.getTime() + fallbackMs, Date.parse(state.expiresAt));
    return { kind: 'at', at: new Date(Math.max(now.getTime(), Math.min(...times))) };
  }

  async #commit(job: HydratedJob, events: JobEvent[]): Promise<HydratedJob> {
    const next = await this.#deps.db.transaction().execute(async (trx) => {
      const committed = await commitJobEvents(trx, job, events, this.#deps.context);
      await this.#assertLeaseHeld(trx);
      return committed;
    });
    this.#deps.onCommitted?.(job.state, next.state);
    return next;
  }

  /**
   * The fence: every commit of the driver checks, in its transaction, that this
   * instance still holds the job's lease, so an owner whose lease was taken over
   * (it stalled, or lost the database for a while) writes nothing, and in
   * particular records no new intent, however current its view of the log.
   */
  async #assertLeaseHeld(trx: Trx): Promise<void> {
    if (!(await holdsLease(trx, this.jobId, this.#deps.context.instanceId))) {
      throw new LeaseLostError(this.jobId);
    }
  }
}
