import type { Clock } from '../domain/clock.js';
import { ConcurrencyError } from '../domain/errors.js';
import type { JobState } from '../domain/job.state.js';
import { unfinishedRequests } from '../domain/job.state.js';
import {
  acquireLease,
  claimLapsedLeases,
  claimQueuedJobs,
  findUnheldJobsPastDeadline,
  handOverLeases,
  releaseLease,
  renewLeases,
} from '../store/jobs/job-leases.js';
import type { Db } from '../store/schema/index.js';
import type { BatchApi } from './batch-api.port.js';
import { JobDriver } from './job-driver.js';
import type { JobOptions } from './job-options.js';
import { type CommitContext, commitJobEvents, loadJob } from './job-store.js';

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

  constructor(deps: WorkerDeps) {
    this.#deps = deps;
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

  /** Looks for work now rather than at the next tick (a job was created or resumed). */
  wake(jobId?: string): void {
    if (jobId) this.#held.get(jobId)?.wake();
    this.#wakeScheduler?.();
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
    await handOverLeases(
      this.#deps.db,
      this.instanceId,
      held.map(([id]) => id),
    ).catch((error) => this.#deps.log?.('could not hand over leases', { error: String(error) }));
    this.#held.clear();
  }

  async #schedule(): Promise<void> {
    let failures = 0;
    while (this.#running) {
      try {
        await this.#expireWaitingJobs();
        await this.#takeOverLapsed();
        await this.#claimQueued();
        failures = 0;
      } catch (error) {
        failures += 1;
        this.#deps.log?.('scheduler round failed', { error: String(error) });
      }
      const delay =
        failures === 0
          ? this.#deps.options.schedulerIntervalMs
          : Math.min(250 * 2 ** failures, 10_000);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.#wakeScheduler = () => {
          clearTimeout(timer);
          resolve();
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
    const { db, clock, options, context } = this.#deps;
    const started = await db.transaction().execute(async (trx) => {
      const ids = await claimQueuedJobs(trx, free, clock.now());
      const changes: Array<{ before: JobState; after: JobState }> = [];
      for (const id of ids) {
        const job = await loadJob(trx, id);
        if (!job) continue;
        const now = clock.now();
        const next = await commitJobEvents(
          trx,
          job,
          [{ type: 'JobStarted', data: { at: now.toISOString(), instanceId: this.instanceId } }],
          context,
        );
        await acquireLease(
          trx,
          id,
          this.instanceId,
          now,
          new Date(now.getTime() + options.leaseTtlMs),
        );
        changes.push({ before: job.state, after: next.state });
      }
      return changes;
    });
    for (const change of started) {
      this.#deps.onCommitted?.(change.before, change.after);
      this.#hold(change.after.id);
    }
  }

  async #takeOverLapsed(): Promise<void> {
    const free = this.#free();
    if (free <= 0) return;
    const { db, clock, options } = this.#deps;
    const now = clock.now();
    const taken = await db
      .transaction()
      .execute((trx) =>
        claimLapsedLeases(
          trx,
          this.instanceId,
          now,
          new Date(now.getTime() + options.leaseTtlMs),
          free,
        ),
      );
    for (const lease of taken) {
      if (this.#held.has(lease.jobId)) continue;
      if (!(await this.#recordTakeover(lease.jobId))) {
        await releaseLease(db, lease.jobId, this.instanceId);
        continue;
      }
      this.#deps.onTakeover?.(lease.jobId, lease.previousOwner, lease.lapsedAt);
      this.#deps.log?.('took over a job whose lease lapsed', {
        jobId: lease.jobId,
        previousOwner: lease.previousOwner,
      });
      this.#hold(lease.jobId);
    }
  }

  /**
   * Writes who carries the job on from here (JobStarted by this instance), so
   * the log shows the takeover; false when the job no longer needs anyone.
   * The append also fences the previous owner: its next append fails on the version.
   */
  async #recordTakeover(jobId: string): Promise<boolean> {
    const { db, clock, context } = this.#deps;
    for (;;) {
      try {
        return await db.transaction().execute(async (trx) => {
          const job = await loadJob(trx, jobId);
          if (!job || job.state.deleted) return false;
          if (job.state.status !== 'processing' && job.state.status !== 'paused') return false;
          await commitJobEvents(
            trx,
            job,
            [
              {
                type: 'JobStarted',
                data: { at: clock.now().toISOString(), instanceId: this.instanceId },
              },
            ],
            context,
          );
          return true;
        });
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error;
      }
    }
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

  #hold(jobId: string): void {
    const driver = new JobDriver(
      {
        db: this.#deps.db,
        api: this.#deps.api,
        clock: this.#deps.clock,
        options: this.#deps.options,
        context: this.#deps.context,
        onCommitted: this.#deps.onCommitted,
        log: this.#deps.log,
      },
      jobId,
    );
    let wakeUp: () => void = () => {};
    const held: HeldJob = { driver, wake: () => wakeUp(), stopped: false, done: Promise.resolve() };
    this.#held.set(jobId, held);
    held.done = (async () => {
      while (!held.stopped) {
        const next = await driver.step().catch((error: unknown) => {
          this.#deps.log?.('job step crashed', { jobId, error: String(error) });
          return { kind: 'at' as const, at: new Date(this.#deps.clock.now().getTime() + 1000) };
        });
        if (next.kind === 'done') {
          await releaseLease(this.#deps.db, jobId, this.instanceId).catch(() => {});
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
