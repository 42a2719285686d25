import type { Clock } from '../domain/clock.js';
import { ConcurrencyError } from '../domain/errors.js';
import type { JobState } from '../domain/job.state.js';
import { unfinishedRequests } from '../domain/job.state.js';
import { UnknownJobEventError } from '../domain/job-event.upcast.js';
import {
  claimLapsedLeases,
  claimQueuedJobs,
  findUnheldJobsPastDeadline,
  handOverLeases,
  releaseLease,
  renewLeases,
} from '../store/jobs/job-leases.js';
import { notifyJobWakeup } from '../store/jobs/job-wakeups.js';
import { countRequestsInFlight } from '../store/jobs/request-results.js';
import type { Db } from '../store/schema/index.js';
import type { BatchApi } from './batch-api.port.js';
import { BatchStatusBoard } from './batch-status-board.js';
import { JobDriver, type NextStep } from './job-driver.js';
import type { JobOptions } from './job-options.js';
import type { HydratedJob } from './job-snapshot.js';
import { type CommitContext, commitJobEvents, hydrateStreams, loadJob } from './job-store.js';

/** The scheduler's fallback poll while wake-ups arrive (BATCHKEEPER_SCHEDULER_INTERVAL_MS when larger). */
const LISTENING_POLL_MS = 5000;

/** How long the count of requests in flight at Anthropic is reused before it is read again. */
const IN_FLIGHT_COUNT_TTL_MS = 1000;

export interface WorkerDeps {
  db: Db;
  api: BatchApi;
  clock: Clock;
  options: JobOptions;
  context: CommitContext;
  onCommitted?: ((before: JobState, after: JobState) => void) | undefined;
  onTakeover?: ((jobId: string, previousOwner: string, lapsedAt: Date) => void) | undefined;
  log?: ((message: string, fields?: Record<string, unknown>) => void) | undefined;
}

interface HeldJob {
  driver: JobDriver;
  wake: () => void;
  stopped: boolean;
  done: Promise<void>;
}

/**
 * This instance's share of the work: claims queued jobs by priority (and
 * lapsed leases of crashed instances), holds each under a lease renewed by a
 * heartbeat, and drives each held job step by step. At most
 * maxConcurrentJobs at a time. Nothing it holds lives only in memory.
 */
export class JobWorker {
  readonly #deps: WorkerDeps;
  readonly #held = new Map<string, HeldJob>();
  #running = false;
  #loop: Promise<void> | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #wakeScheduler: (() => void) | undefined;
  #wakeRequested = false;
  /** Wake-ups arrive (LISTEN is up): polling is only the fallback, and slower. */
  #listening = false;
  readonly #board: BatchStatusBoard;
  #inFlight: { count: number; readAt: number } | undefined;
  /**
   * Whether the next round looks for lapsed leases. Rounds on the poll do; rounds woken for
   * new work do not (a statement per created job for every instance, almost always for
   * nothing), unless an instance handed its leases over or the wake-ups were interrupted.
   */
  #lapsedLeasesDue = true;
  /** Jobs whose log holds events of a newer instance: left to those (a rolling upgrade). */
  readonly #unreadable = new Set<string>();

  constructor(deps: WorkerDeps) {
    this.#deps = deps;
    this.#board = new BatchStatusBoard(deps.api);
  }

  get instanceId(): string {
    return this.#deps.context.instanceId;
  }

  /** Jobs this instance is working on now. */
  heldJobs(): string[] {
    return [...this.#held.keys()];
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#schedule();
    const every = Math.max(50, Math.floor(this.#deps.options.leaseTtlMs / 3));
    this.#heartbeat = setInterval(() => void this.#renew(), every);
  }

  /** Whether wake-ups from other instances arrive (the manager's LISTEN is up). */
  setListening(listening: boolean): void {
    this.#listening = listening;
  }

  /** Looks for work now rather than at the next tick (a job was created or resumed). */
  wake(jobId?: string): void {
    const held = jobId ? this.#held.get(jobId) : undefined;
    if (held) {
      // Someone else wrote to the job (a command): its driver reads the log again.
      held.driver.invalidate();
      held.wake();
    }
    // A wake-up during a round is not lost: the next round starts as soon as this one ends.
    this.#wakeRequested = true;
    this.#wakeScheduler?.();
  }

  /**
   * This instance committed a change (a created job, a command on `jobId`). While wake-ups
   * arrive, its own comes back to it with everyone else's, so nothing is done twice here.
   */
  committedHere(jobId?: string): void {
    if (!this.#listening) this.wake(jobId);
  }

  /** Looks for work now, lapsed leases included (an instance stopped and handed its leases over). */
  wakeToTakeOver(): void {
    this.#lapsedLeasesDue = true;
    this.wake();
  }

  /**
   * Stops claiming, lets each job finish the step in progress, and hands the
   * leases over so another instance takes the jobs at once.
   */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    clearInterval(this.#heartbeat);
    this.#wakeScheduler?.();
    await this.#loop;
    const held = [...this.#held.entries()];
    for (const [, job] of held) {
      job.stopped = true;
      job.wake();
    }
    await Promise.all(held.map(([, job]) => job.done));
    await this.#deps.db
      .transaction()
      .execute(async (trx) => {
        await handOverLeases(
          trx,
          this.instanceId,
          held.map(([id]) => id),
        );
        if (held.length > 0) await notifyJobWakeup(trx, 'leases-handed-over');
      })
      .catch((error) => this.#deps.log?.('could not hand over leases', { error: String(error) }));
    this.#held.clear();
  }

  async #schedule(): Promise<void> {
    let failures = 0;
    let woken = false;
    while (this.#running) {
      this.#wakeRequested = false;
      try {
        // A wake-up means work to claim; deadlines of waiting jobs are looked at on the poll.
        if (!woken) await this.#expireWaitingJobs();
        if (!woken || this.#lapsedLeasesDue) {
          this.#lapsedLeasesDue = false;
          await this.#takeOverLapsed();
        }
        await this.#claimQueued();
        failures = 0;
      } catch (error) {
        failures += 1;
        this.#lapsedLeasesDue = true;
        this.#deps.log?.('scheduler round failed', { error: String(error) });
      }
      const { schedulerIntervalMs } = this.#deps.options;
      const delay =
        failures > 0
          ? Math.min(250 * 2 ** failures, 10_000)
          : this.#listening
            ? Math.max(schedulerIntervalMs, LISTENING_POLL_MS)
            : schedulerIntervalMs;
      // Stopped during the round: do not sleep through a whole interval before noticing.
      if (!this.#running) break;
      woken = this.#wakeRequested && failures === 0;
      if (woken) continue;
      woken = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), delay);
        this.#wakeScheduler = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
      this.#wakeScheduler = undefined;
    }
  }

  #free(): number {
    return this.#deps.options.maxConcurrentJobs - this.#held.size;
  }

  async #claimQueued(): Promise<void> {
    const free = this.#free();
    if (free <= 0) return;
    const { db, clock, options } = this.#deps;
    // The claim is the lease alone, read with the jobs' logs in one statement for the whole
    // round; each driver then records its JobStarted with its first sub-batch's intent.
    const now = clock.now();
    const logs = await claimQueuedJobs(db, {
      owner: this.instanceId,
      limit: free,
      now,
      expiresAt: new Date(now.getTime() + options.leaseTtlMs),
      skip: [...this.#unreadable],
    });
    if (logs.length === 0) return;
    const { jobs, unreadable } = hydrateStreams(logs);
    for (const error of unreadable) {
      this.#cannotRead(error);
      await releaseLease(db, error.jobId, this.instanceId);
    }
    for (const [id, job] of jobs) this.#hold(id, job);
  }

  async #takeOverLapsed(): Promise<void> {
    const free = this.#free();
    if (free <= 0) return;
    const { db, clock, options } = this.#deps;
    const now = clock.now();
    const taken = await claimLapsedLeases(
      db,
      this.instanceId,
      now,
      new Date(now.getTime() + options.leaseTtlMs),
      free,
    );
    for (const lease of taken) {
      if (this.#held.has(lease.jobId)) continue;
      // The driver reads the log and records the takeover (JobStarted) before anything else.
      this.#deps.onTakeover?.(lease.jobId, lease.previousOwner, lease.lapsedAt);
      this.#deps.log?.('took over a job whose lease lapsed', {
        jobId: lease.jobId,
        previousOwner: lease.previousOwner,
      });
      this.#hold(lease.jobId);
    }
  }

  #cannotRead(error: UnknownJobEventError): void {
    if (this.#unreadable.has(error.jobId)) return;
    this.#unreadable.add(error.jobId);
    this.#deps.log?.(
      'leaving a job to a newer instance: its log holds an event this one does not know',
      { jobId: error.jobId, eventType: error.eventType, schemaVersion: error.schemaVersion },
    );
  }

  /** Queued and pending jobs past their deadline are expired by whoever sees them first. */
  async #expireWaitingJobs(): Promise<void> {
    const { db, clock, context } = this.#deps;
    const ids = await findUnheldJobsPastDeadline(db, clock.now(), 20);
    for (const id of ids) {
      try {
        const change = await db.transaction().execute(async (trx) => {
          const job = await loadJob(trx, id);
          if (!job || (job.state.status !== 'queued' && job.state.status !== 'pending'))
            return undefined;
          const at = clock.now().toISOString();
          const next = await commitJobEvents(
            trx,
            job,
            [{ type: 'JobExpired', data: { at, unfinished: unfinishedRequests(job.state) } }],
            context,
          );
          return { before: job.state, after: next.state };
        });
        if (change) this.#deps.onCommitted?.(change.before, change.after);
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error;
      }
    }
  }

  /** Requests at Anthropic across every instance, read at most once a second. */
  async #requestsInFlight(): Promise<number> {
    const now = this.#deps.clock.now().getTime();
    if (!this.#inFlight || now - this.#inFlight.readAt >= IN_FLIGHT_COUNT_TTL_MS) {
      this.#inFlight = { count: await countRequestsInFlight(this.#deps.db), readAt: now };
    }
    return this.#inFlight.count;
  }

  #hold(jobId: string, job?: HydratedJob): void {
    const driver = new JobDriver(
      {
        db: this.#deps.db,
        api: this.#deps.api,
        board: this.#board,
        requestsInFlight: () => this.#requestsInFlight(),
        sent: (requests) => {
          if (this.#inFlight) this.#inFlight.count += requests;
        },
        clock: this.#deps.clock,
        options: this.#deps.options,
        context: this.#deps.context,
        onCommitted: this.#deps.onCommitted,
        log: this.#deps.log,
      },
      jobId,
      job,
    );
    let wakeUp: () => void = () => {};
    const held: HeldJob = { driver, wake: () => wakeUp(), stopped: false, done: Promise.resolve() };
    this.#held.set(jobId, held);
    held.done = (async () => {
      while (!held.stopped) {
        const next: NextStep = await driver.step().catch((error: unknown): NextStep => {
          if (error instanceof UnknownJobEventError) {
            this.#cannotRead(error);
            return { kind: 'done' };
          }
          this.#deps.log?.('job step crashed', { jobId, error: String(error) });
          return { kind: 'at', at: new Date(this.#deps.clock.now().getTime() + 1000) };
        });
        if (next.kind === 'done') {
          if (!next.released) {
            await releaseLease(this.#deps.db, jobId, this.instanceId).catch((error: unknown) =>
              // It lapses by itself: another instance takes the job over after leaseTtlMs.
              this.#deps.log?.('could not release a lease; it will lapse', {
                jobId,
                error: String(error),
              }),
            );
          }
          break;
        }
        if (next.kind === 'lost') {
          // Fenced: another instance took the job over; the lease is its now.
          this.#deps.log?.('lost the lease of a job', { jobId });
          break;
        }
        if (next.kind === 'now' || held.stopped) continue;
        const wait = Math.max(0, next.at.getTime() - this.#deps.clock.now().getTime());
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(wait, 60_000));
          wakeUp = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      if (this.#held.get(jobId) === held) this.#held.delete(jobId);
      this.wake();
    })();
  }

  async #renew(): Promise<void> {
    const ids = this.heldJobs();
    if (ids.length === 0) return;
    const now = this.#deps.clock.now();
    try {
      const still = await renewLeases(
        this.#deps.db,
        this.instanceId,
        ids,
        new Date(now.getTime() + this.#deps.options.leaseTtlMs),
      );
      for (const id of ids) {
        if (still.has(id)) continue;
        // Another instance holds it now: stop touching it.
        const held = this.#held.get(id);
        if (held) {
          held.stopped = true;
          held.wake();
        }
        this.#deps.log?.('lost the lease of a job', { jobId: id });
      }
    } catch (error) {
      this.#deps.log?.('could not renew leases', { error: String(error) });
    }
  }
}
