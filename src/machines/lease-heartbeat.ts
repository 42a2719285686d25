import type { Clock } from '../domain/clock.js';
import { renewLeases } from '../store/jobs/job-leases.js';
import type { Db } from '../store/schema/index.js';
import type { WorkerLog } from './worker-log.js';

export interface LeaseHeartbeatDeps {
  db: Db;
  clock: Clock;
  owner: string;
  leaseTtlMs: number;
  /** The jobs held now. */
  held: () => string[];
  /** Another instance holds `jobId` now: stop touching it. */
  lost: (jobId: string) => void;
  log?: WorkerLog | undefined;
}

/**
 * Renews the leases of the jobs an instance holds, three times a lease's life, one statement
 * for all of them; one renewal at a time, and stop() waits for the one in flight so none
 * outlives the database.
 */
export class LeaseHeartbeat {
  readonly #deps: LeaseHeartbeatDeps;
  #timer: NodeJS.Timeout | undefined;
  #renewing: Promise<void> | undefined;

  constructor(deps: LeaseHeartbeatDeps) {
    this.#deps = deps;
  }

  start(): void {
    const every = Math.max(50, Math.floor(this.#deps.leaseTtlMs / 3));
    this.#timer = setInterval(() => {
      this.#renewing ??= this.#renew().finally(() => (this.#renewing = undefined));
    }, every);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#renewing;
  }

  async #renew(): Promise<void> {
    const { db, clock, owner, leaseTtlMs, log } = this.#deps;
    const ids = this.#deps.held();
    if (ids.length === 0) return;
    try {
      const still = await renewLeases(db, owner, ids, new Date(clock.now().getTime() + leaseTtlMs));
      for (const id of ids) {
        if (still.has(id)) continue;
        this.#deps.lost(id);
        log?.('lost the lease of a job', { jobId: id }, 'warn');
      }
    } catch (error) {
      log?.('could not renew leases', { error: String(error) }, 'error');
    }
  }
}
