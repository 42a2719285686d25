import type { Clock } from '../domain/clock.js';
import { UnknownJobEventError } from '../domain/job-event.upcast.js';
import { Sleeper } from '../support/sleep.js';
import type { JobDriver, NextStep } from './job-driver.js';
import type { WorkerLog } from './worker-log.js';

/** The longest a held job sleeps before its driver is asked again. */
const MAX_SLEEP_MS = 60_000;
/** How long a job whose step crashed waits before the next. */
const AFTER_CRASH_MS = 1000;

export interface HeldJobDeps {
  clock: Clock;
  /** Gives the lease back (the driver is done with a job whose last commit did not). */
  release: () => Promise<void>;
  /** The job's log holds an event this instance does not know. */
  cannotRead: (error: UnknownJobEventError) => void;
  /** The loop has ended (done, lost, or stopped). */
  ended: () => void;
  log?: WorkerLog | undefined;
}

/**
 * A job this instance holds: its driver, stepped until it is done, lost or stopped, sleeping
 * between steps until the time the driver named (woken early by a command on the job). A step
 * that crashes is logged and tried again a second later: one bad job never stops the worker.
 */
export class HeldJob {
  readonly driver: JobDriver;
  readonly #deps: HeldJobDeps;
  readonly #sleeper = new Sleeper();
  #stopped = false;
  /** Settles once the loop has ended. */
  done: Promise<void> = Promise.resolve();

  constructor(driver: JobDriver, deps: HeldJobDeps) {
    this.driver = driver;
    this.#deps = deps;
  }

  /** Starts stepping the driver (once). */
  start(): void {
    this.done = this.#run();
  }

  /** Cuts the current sleep short: the driver is asked again now. */
  wake(): void {
    this.#sleeper.wake();
  }

  /** Ends the loop after the step in progress. */
  stop(): void {
    this.#stopped = true;
    this.wake();
  }

  async #run(): Promise<void> {
    const { clock, log } = this.#deps;
    const jobId = this.driver.jobId;
    while (!this.#stopped) {
      const next: NextStep = await this.driver.step().catch((error: unknown): NextStep => {
        if (error instanceof UnknownJobEventError) {
          this.#deps.cannotRead(error);
          return { kind: 'done' };
        }
        log?.('job step crashed', { jobId, error: String(error) }, 'error');
        return { kind: 'at', at: new Date(clock.now().getTime() + AFTER_CRASH_MS) };
      });
      if (next.kind === 'done') {
        if (!next.released) {
          await this.#deps.release().catch((error: unknown) =>
            // It lapses by itself: another instance takes the job over after leaseTtlMs.
            log?.(
              'could not release a lease; it will lapse',
              { jobId, error: String(error) },
              'warn',
            ),
          );
        }
        break;
      }
      if (next.kind === 'lost') {
        // Fenced: another instance took the job over; the lease is its now.
        log?.('lost the lease of a job', { jobId }, 'warn');
        break;
      }
      if (next.kind === 'now' || this.#stopped) continue;
      const wait = Math.max(0, next.at.getTime() - clock.now().getTime());
      await this.#sleeper.sleep(Math.min(wait, MAX_SLEEP_MS));
    }
    this.#deps.ended();
  }
}
