import { systemActor } from '../domain/actor.js';
import type { Clock } from '../domain/clock.js';
import type { JobState } from '../domain/job.state.js';
import type { UnknownJobEventError } from '../domain/job-event.upcast.js';
import type { JobOptions } from '../domain/job-options.js';
import { tenantLimitDefaults } from '../domain/job-options.js';
import {
  claimLapsedLeases,
  claimQueuedJobs,
  handOverLeases,
  releaseLease,
} from '../store/jobs/job-leases.js';
import { notifyJobWakeup } from '../store/jobs/job-wakeups.js';
import type { Db } from '../store/schema/index.js';
import { doublingDelay } from '../support/backoff.js';
import { Sleeper } from '../support/sleep.js';
import type { BatchApi } from './batch-api.port.js';
import { BatchStatusBoard } from './batch-status-board.js';
import { ClaimSignals } from './claim-signals.js';
import { expireWaitingJobs } from './expire-waiting-jobs.js';
import { HeldJob } from './held-job.js';
import { HeldJobs } from './held-jobs.js';
import { JobDriver } from './job-driver.js';
import type { HydratedJob } from './job-snapshot.js';
import { type CommitContext, hydrateStreams } from './job-store.js';
import { LeaseHeartbeat } from './lease-heartbeat.js';
import { RequestsInFlight } from './requests-in-flight.js';
import { resumeTenantBudgetJobs } from './resume-tenant-budget-jobs.js';
import type { WorkerLog } from './worker-log.js';

/** The scheduler's fallback poll while wake-ups arrive (BATCHKEEPER_SCHEDULER_INTERVAL_MS when larger). */
const LISTENING_POLL_MS = 5000;

export interface WorkerDeps {
  db: Db;
  api: BatchApi;
  clock: Clock;
  options: JobOptions;
  context: CommitContext;
  onCommitted?: ((before: JobState, after: JobState) => void) | undefined;
  onTakeover?: ((jobId: string, previousOwner: string, lapsedAt: Date) => void) | undefined;
  log?: WorkerLog | undefined;
}

/**
 * This instance's share of the work: claims queued jobs by priority (and
 * lapsed leases of crashed instances), holds each under a lease renewed by a
 * heartbeat, and drives each held job step by step. At most
 * maxConcurrentJobs at a time. Nothing it holds lives only in memory.
 */
export class JobWorker {
  readonly #deps: WorkerDeps;
  readonly #held: HeldJobs;
  readonly #signals = new ClaimSignals();
  #running = false;
  #loop: Promise<void> | undefined;
  readonly #heartbeat: LeaseHeartbeat;
  /** The scheduler's sleep between rounds, cut short by a wake-up. */
  readonly #sleeper = new Sleeper();
  #wakeRequested = false;
  /** Wake-ups arrive (LISTEN is up): polling is only the fallback, and slower. */
  #listening = false;
  readonly #board: BatchStatusBoard;
  readonly #inFlight: RequestsInFlight;
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
    this.#held = new HeldJobs(deps.options.maxConcurrentJobs);
    this.#heartbeat = new LeaseHeartbeat({
      db: deps.db,
      clock: deps.clock,
      owner: deps.context.instanceId,
      leaseTtlMs: deps.options.leaseTtlMs,
      held: () => (this.#running ? this.#held.ids() : []),
      lost: (jobId) => this.#held.get(jobId)?.stop(),
      log: deps.log,
    });
    this.#board = new BatchStatusBoard(deps.api);
    this.#inFlight = new RequestsInFlight(deps.db, deps.clock);
  }

  get instanceId(): string {
    return this.#deps.context.instanceId;
  }

  /** Jobs this instance is working on now. */
  heldJobs(): string[] {
    return this.#held.ids();
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#schedule();
    this.#heartbeat.start();
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
    this.#signals.seen();
    this.#startRound();
  }

  /** A wake-up during a round is not lost: the next round starts as soon as this one ends. */
  #startRound(): void {
    this.#wakeRequested = true;
    this.#sleeper.wake();
  }

  /**
   * Asked inside a creating transaction: whether this instance claims the job itself (it has
   * a slot not yet promised to another job created here). Then the creation wakes no other
   * instance: one claim statement per job, not one per instance, of which all but one find
   * nothing. Without wake-ups arriving every instance must still be told.
   */
  takeCreatedJob(): boolean {
    if (!this.#running || !this.#listening) return false;
    return this.#signals.promise(this.#held.free());
  }

  /** A job was created here (committed): claimed by the next round, whoever was told. */
  createdHere(): void {
    this.wake();
  }

  /**
   * This instance committed a command on `jobId`. While wake-ups arrive, its own comes back
   * to it with everyone else's, so nothing is done twice here.
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
    const heartbeatStopped = this.#heartbeat.stop();
    this.#sleeper.wake();
    await this.#loop;
    await heartbeatStopped;
    const held = await this.#held.stopAll();
    await this.#deps.db
      .transaction()
      .execute(async (trx) => {
        await handOverLeases(trx, this.instanceId, held);
        if (held.length > 0) await notifyJobWakeup(trx, 'leases-handed-over');
      })
      .catch((error) =>
        this.#deps.log?.('could not hand over leases', { error: String(error) }, 'error'),
      );
  }

  async #schedule(): Promise<void> {
    let failures = 0;
    let woken = false;
    while (this.#running) {
      this.#wakeRequested = false;
      try {
        // A wake-up means work to claim; deadlines of waiting jobs are looked at on the poll.
        if (!woken) {
          const context = { ...this.#deps.context, actor: systemActor('scheduler') };
          await expireWaitingJobs({ ...this.#deps, context });
          await resumeTenantBudgetJobs({ ...this.#deps, context });
        }
        if (!woken || this.#lapsedLeasesDue) {
          this.#lapsedLeasesDue = false;
          await this.#takeOverLapsed();
        }
        await this.#claimQueued(woken);
        failures = 0;
      } catch (error) {
        failures += 1;
        this.#lapsedLeasesDue = true;
        this.#deps.log?.('scheduler round failed', { error: String(error) }, 'error');
      }
      const { schedulerIntervalMs } = this.#deps.options;
      const delay =
        failures > 0
          ? doublingDelay(failures, 250, 10_000)
          : this.#listening
            ? Math.max(schedulerIntervalMs, LISTENING_POLL_MS)
            : schedulerIntervalMs;
      // Stopped during the round: do not sleep through a whole interval before noticing.
      if (!this.#running) break;
      woken = this.#wakeRequested && failures === 0;
      if (woken) continue;
      woken = await this.#sleeper.sleep(delay);
    }
  }

  async #claimQueued(woken: boolean): Promise<void> {
    if (!this.#signals.worthClaiming(woken)) return;
    const free = this.#held.free();
    const { db, clock, options } = this.#deps;
    // Jobs created here since the last claim woke nobody else: if this round has no room for
    // all the queued work, the others are told now (the round may take older jobs first).
    const { signals, promised } = this.#signals.begin();
    if (free <= 0) {
      if (promised > 0) await notifyJobWakeup(db, 'work-queued');
      return;
    }
    // The claim is the lease alone, read with the jobs' logs in one statement for the whole
    // round; each driver then records its JobStarted with its first sub-batch's intent.
    const now = clock.now();
    const logs = await claimQueuedJobs(db, {
      owner: this.instanceId,
      limit: free,
      now,
      expiresAt: new Date(now.getTime() + options.leaseTtlMs),
      skip: [...this.#unreadable],
      shares: this.#held.shares(tenantLimitDefaults(options).maxConcurrentJobs),
    });
    if (promised > 0 && logs.length >= free) await notifyJobWakeup(db, 'work-queued');
    if (logs.length < free) this.#signals.drained(signals);
    if (logs.length === 0) return;
    const { jobs, unreadable } = hydrateStreams(logs);
    for (const error of unreadable) {
      this.#cannotRead(error);
      await releaseLease(db, error.jobId, this.instanceId);
    }
    for (const [id, job] of jobs) this.#hold(id, job.state.tenant, job);
  }

  async #takeOverLapsed(): Promise<void> {
    const free = this.#held.free();
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
      this.#hold(lease.jobId, lease.tenant);
    }
  }

  #cannotRead(error: UnknownJobEventError): void {
    if (this.#unreadable.has(error.jobId)) return;
    this.#unreadable.add(error.jobId);
    this.#deps.log?.(
      'leaving a job to a newer instance: its log holds an event this one does not know',
      { jobId: error.jobId, eventType: error.eventType, schemaVersion: error.schemaVersion },
      'warn',
    );
  }

  #hold(jobId: string, tenant: string, job?: HydratedJob): void {
    const { db, api, clock, options, context, onCommitted, log } = this.#deps;
    const driver = new JobDriver(
      {
        db,
        api,
        board: this.#board,
        requestsInFlight: (tenant) => this.#inFlight.count(tenant),
        sent: (tenant, requests) => this.#inFlight.sent(tenant, requests),
        clock,
        options,
        context: { ...context, actor: systemActor('driver') },
        onCommitted,
        log,
      },
      jobId,
      job,
    );
    const held: HeldJob = new HeldJob(driver, {
      clock,
      log,
      release: () => releaseLease(db, jobId, this.instanceId),
      cannotRead: (error) => this.#cannotRead(error),
      ended: () => {
        this.#held.remove(jobId, held);
        // A slot is free: claimed into if there are signs of queued work (ClaimSignals).
        this.#startRound();
      },
    });
    this.#held.add(jobId, tenant, held);
    held.start();
  }
}
