import { BatchkeeperError, NotFoundError, ValidationError } from '../domain/errors.js';
import { isTerminalStatus, type JobStatus } from '../domain/job-status.js';
import type { JobNotifications } from '../machines/job-notifications.js';
import { JobWatcher } from '../store/jobs/job-watcher.js';
import type { BatchJobManager } from './batch-job-manager.js';
import type { JobDetails } from './tenant-jobs.js';

export interface WaitForJobOptions {
  /** Give up this many milliseconds after the first read, with a JobWaitTimeoutError (default: wait until it ends). */
  timeoutMs?: number | undefined;
  /** Aborting it stops the wait, which rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
}

/** waitForJob gave up: the job had not ended within `timeoutMs`. The job goes on. */
export class JobWaitTimeoutError extends BatchkeeperError {
  readonly type = 'wait_timeout_error';
  readonly status = 408;
  constructor(
    readonly jobId: string,
    readonly timeoutMs: number,
    readonly lastStatus: JobStatus | undefined,
  ) {
    super(
      `job ${jobId} did not end within ${timeoutMs} ms` +
        (lastStatus ? ` (it is ${lastStatus})` : ''),
    );
  }
}

/** How often the jobs being waited for are read, for changes this process does not hear of. */
const WATCH_INTERVAL_MS = 500;
/** The longest delay setTimeout takes; a longer timeout waits this long. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A manager's waits: one watcher and one listener, however many waits run at once. */
interface ManagerWaits {
  watcher: JobWatcher;
  /** What to call when the manager's own commit ends a job, by job id. */
  ended: Map<string, Set<() => void>>;
}

const waitsByManager = new WeakMap<BatchJobManager, ManagerWaits>();

function waitsOf(manager: BatchJobManager): ManagerWaits {
  let waits = waitsByManager.get(manager);
  if (!waits) {
    const ended = new Map<string, Set<() => void>>();
    manager.on(
      'job:status_changed',
      ({ id, newStatus }: JobNotifications['job:status_changed']) => {
        if (!isTerminalStatus(newStatus)) return;
        for (const wake of ended.get(id) ?? []) wake();
      },
    );
    const watcher = new JobWatcher({
      database: async () => (await manager.runtime()).database.db,
      intervalMs: WATCH_INTERVAL_MS,
    });
    waits = { watcher, ended };
    waitsByManager.set(manager, waits);
  }
  return waits;
}

/**
 * Resolves with the job (as getJob shows it) once it has ended: completed, failed, cancelled or
 * expired. The manager's own commits are heard at once (`job:status_changed`); another
 * instance's are seen by reading the job every 500 ms. Rejects with a NotFoundError when there
 * is no such job (or it is deleted meanwhile), a JobWaitTimeoutError after `timeoutMs`, and the
 * signal's reason when `signal` aborts.
 */
export async function waitForJob(
  manager: BatchJobManager,
  tenant: string,
  jobId: string,
  options: WaitForJobOptions = {},
): Promise<JobDetails> {
  const { timeoutMs, signal } = options;
  if (timeoutMs !== undefined && !(timeoutMs >= 0)) {
    throw new ValidationError('timeoutMs must be a number of milliseconds, 0 or more');
  }
  signal?.throwIfAborted();
  const jobs = manager.forTenant(tenant);
  // Aborted when the wait ends, however it ends: it removes every listener, timer and watch.
  const done = new AbortController();
  let lastStatus: JobStatus | undefined;
  try {
    return await new Promise<JobDetails>((resolve, reject) => {
      const check = (then?: () => void) => {
        jobs.getJob(jobId).then((job) => {
          if (!job) reject(new NotFoundError(`job ${jobId} not found`));
          else if (isTerminalStatus(job.status)) resolve(job);
          else {
            lastStatus = job.status;
            then?.();
          }
        }, reject);
      };
      const { watcher, ended } = waitsOf(manager);
      const wake = () => check();
      const wakes = ended.get(jobId) ?? new Set();
      ended.set(jobId, wakes.add(wake));
      done.signal.addEventListener('abort', () => {
        wakes.delete(wake);
        if (wakes.size === 0 && ended.get(jobId) === wakes) ended.delete(jobId);
      });
      signal?.addEventListener('abort', () => reject(signal.reason), { signal: done.signal });
      // The timeout counts from the first read: `timeoutMs: 0` answers an ended job, never waits.
      const startTimer = () => {
        if (timeoutMs === undefined || !Number.isFinite(timeoutMs) || done.signal.aborted) return;
        const timer = setTimeout(
          () => reject(new JobWaitTimeoutError(jobId, timeoutMs, lastStatus)),
          Math.min(timeoutMs, MAX_TIMER_MS),
        );
        done.signal.addEventListener('abort', () => clearTimeout(timer));
      };
      // Listening first, then reading: a change between the two is not missed.
      void (async () => {
        for await (const row of watcher.watch(tenant, jobId, done.signal)) {
          if (row === null || isTerminalStatus(row.status as JobStatus)) check();
          else lastStatus = row.status as JobStatus;
        }
      })().catch(reject);
      check(startTimer);
    });
  } finally {
    done.abort();
  }
}
