import type { BatchJobManager } from '../../../src/index.js';
import type { BatchJobManagerOptions } from '../../../src/manager/manager-options.js';
import { createDatabase, type DatabaseHandle } from '../../../src/store/create-database.js';
import { readStream } from '../../../src/store/event-store.js';
import type { RecordedEvent } from '../../../src/store/event-store.types.js';
import { leaseOwner } from '../../../src/store/jobs/job-leases.js';
import type { Db } from '../../../src/store/schema/index.js';
import type { TestBed } from '../../support/manager.js';

/** A manager with a connection pool of its own, which the test can cut off as a crash would. */
export interface Instance {
  readonly manager: BatchJobManager;
  readonly id: string;
  /**
   * Ends its pool: from now on every query it makes fails, so it renews no
   * lease and writes nothing, like a process that died or lost its network.
   */
  crash(): Promise<void>;
  /** The jobs its worker drives now. */
  heldJobs(): Promise<string[]>;
}

/** Starts instances on a TestBed's database and simulator; `closeAll()` between tests. */
export class Instances {
  readonly #started: Array<{
    manager: BatchJobManager;
    pool: DatabaseHandle;
    state: { crashed: boolean };
  }> = [];

  constructor(private readonly bed: TestBed) {}

  async start(options: BatchJobManagerOptions = {}): Promise<Instance> {
    const url = this.bed.database.url;
    if (!url) throw new Error('instances with pools of their own need a real Postgres');
    const pool = await createDatabase({ databaseUrl: url, poolSize: 5 });
    const state = { crashed: false };
    const manager = this.bed.manager({
      database: pool,
      // After a crash every query on the ended pool fails, as it should: those reports are the
      // crash itself, kept off stderr. Before it, errors are printed as the manager would.
      log: (level, message, fields) => {
        if (level === 'error' && !state.crashed) console.error(`batchkeeper: ${message}`, fields);
      },
      ...options,
    });
    const entry = { manager, pool, state };
    this.#started.push(entry);
    await manager.ready();
    return {
      manager,
      id: manager.instanceId,
      crash: async () => {
        state.crashed = true;
        await pool.close();
      },
      heldJobs: async () => (await manager.runtime()).worker?.heldJobs() ?? [],
    };
  }

  async closeAll(): Promise<void> {
    const started = this.#started.splice(0);
    await Promise.all(started.map((s) => s.manager.close()));
    await Promise.all(started.filter((s) => !s.state.crashed).map((s) => s.pool.close()));
  }
}

/** The instances that started the job, in order (the first claim, then each takeover). */
export async function startedBy(db: Db, jobId: string): Promise<string[]> {
  return (await readStream(db, jobId))
    .filter((e) => e.type === 'JobStarted')
    .map((e) => (e.data as { instanceId: string }).instanceId);
}

/** The job's JobStarted by `instanceId`, if there is one. */
export async function startedEvent(
  db: Db,
  jobId: string,
  instanceId: string,
): Promise<RecordedEvent | undefined> {
  return (await readStream(db, jobId)).find(
    (e) => e.type === 'JobStarted' && (e.data as { instanceId: string }).instanceId === instanceId,
  );
}

/** Who holds the job's lease now. */
export function ownerOf(db: Db, jobId: string): Promise<string | undefined> {
  return leaseOwner(db, jobId);
}

/** Milliseconds from `since` to when the event was recorded. */
export function msSince(since: number, event: RecordedEvent): number {
  return new Date(event.recordedAt).getTime() - since;
}
