import { ConcurrencyError } from '../domain/errors.js';
import type { JobEvent } from '../domain/job.events.js';
import type { JobState } from '../domain/job.state.js';
import { isTerminalStatus } from '../domain/job-status.js';
import { releaseLease } from '../store/jobs/job-leases.js';
import type { Db, Trx } from '../store/schema/index.js';
import type { HydratedJob } from './job-snapshot.js';
import { type CommitContext, commitJobEvents, loadJob } from './job-store.js';

export interface LiveJobDeps {
  db: Db;
  context: CommitContext;
  /** Told after each commit (the manager emits its events from it). */
  onCommitted?: ((before: JobState, after: JobState) => void) | undefined;
}

/** This instance no longer owns the job: another took it over (its JobStarted is in the log). */
export class LeaseLostError extends Error {
  constructor(readonly jobId: string) {
    super(`job ${jobId} was taken over by another instance`);
    this.name = 'LeaseLostError';
  }
}

/**
 * A held job as its log says (machine snapshot and version), kept in memory: each of the
 * driver's commits moves it on, and it is read from the log again only after another writer
 * got there first (a ConcurrencyError) or was seen to (invalidate). The version is the fence:
 * a commit at a version the log has passed fails, and once this instance has started the job,
 * another owner in the log then means the job was taken over (LeaseLostError).
 */
export class LiveJob {
  readonly jobId: string;
  readonly #deps: LiveJobDeps;
  #job: HydratedJob | undefined;
  /** Whether this instance's JobStarted is in the log (then another owner means a takeover). */
  #started = false;
  /** Set by invalidate(): a commit still under way must not bring back what it read before. */
  #invalidated = false;

  constructor(deps: LiveJobDeps, jobId: string, job?: HydratedJob) {
    this.#deps = deps;
    this.jobId = jobId;
    this.#job = job;
    if (job?.state.owner === deps.context.instanceId) this.#started = true;
  }

  /** This instance's id, as the job's owner. */
  get self(): string {
    return this.#deps.context.instanceId;
  }

  /** The job as last committed or read; undefined when it must be read again. */
  get known(): HydratedJob | undefined {
    return this.#job;
  }

  /** Another writer changed the job (a command): read it from the log before the next step. */
  invalidate(): void {
    this.#job = undefined;
    this.#invalidated = true;
  }

  /** Whatever failed may have changed the log under us: read it again next time. */
  forget(): void {
    this.#job = undefined;
  }

  /** The job, read from the log when it is not known; undefined when it has no events. */
  async current(): Promise<HydratedJob | undefined> {
    // Invalidated while reading: what was read may predate the change, so read again.
    while (!this.#job) {
      this.#invalidated = false;
      const job = await loadJob(this.#deps.db, this.jobId);
      if (!job) return undefined;
      if (job.state.owner === this.self) this.#started = true;
      if (!this.#invalidated) this.#job = job;
    }
    return this.#job;
  }

  /**
   * Commits events in a transaction of their own; when the job has ended (or is deleted) its
   * lease is released in the same transaction.
   */
  async commit(job: HydratedJob, events: JobEvent[]): Promise<HydratedJob> {
    const next = await this.transaction((trx) =>
      commitJobEvents(trx, job, events, this.#deps.context, undefined, async (trx, committed) => {
        if (isTerminalStatus(committed.state.status) || committed.state.deleted) {
          await releaseLease(trx, this.jobId, this.self);
        }
      }),
    );
    this.committed(job, next);
    return next;
  }

  /** Commits events inside the caller's transaction (call committed() once it has committed). */
  commitIn(trx: Trx, job: HydratedJob, events: JobEvent[]): Promise<HydratedJob> {
    return commitJobEvents(trx, job, events, this.#deps.context);
  }

  /**
   * A transaction of the driver's. An append at a version the log has passed fails; then, once
   * the transaction has rolled back (an embedded database has one connection, which the
   * transaction holds), the job is read again, and if another instance has started it since,
   * this one lets it go.
   */
  async transaction<T>(work: (trx: Trx) => Promise<T>): Promise<T> {
    try {
      return await this.#deps.db.transaction().execute(work);
    } catch (error) {
      if (error instanceof ConcurrencyError) await this.#reload();
      throw error;
    }
  }

  /** A commit went through: the job is now as it left it (unless invalidated meanwhile). */
  committed(before: HydratedJob, after: HydratedJob): void {
    if (after.state.owner === this.self) this.#started = true;
    this.#job = this.#invalidated ? undefined : after;
    this.#deps.onCommitted?.(before.state, after.state);
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
      fresh.state.owner !== this.self &&
      !isTerminalStatus(fresh.state.status);
    if (taken && this.#started) throw new LeaseLostError(this.jobId);
  }
}
