import { setTimeout as sleep } from 'node:timers/promises';
import { type RunningSimulator, startSimulator } from '../../src/anthropic/simulator/index.js';
import type { SimulatorOptions } from '../../src/anthropic/simulator/simulator.options.js';
import type { JobStatus } from '../../src/domain/job-status.js';
import { BatchJobManager, type JobDetails } from '../../src/index.js';
import type { BatchJobManagerOptions } from '../../src/manager/manager-options.js';
import type { DatabaseHandle } from '../../src/store/create-database.js';
import { openTestDatabase } from './database.js';

/** Options that make a manager quick to react in tests. */
export const FAST: BatchJobManagerOptions = {
  pollIntervalMs: 20,
  pollMaxMs: 200,
  retryDelayMs: 50,
  schedulerIntervalMs: 20,
  reconcileAfterMs: 200,
  submitTimeoutMs: 3000,
  leaseTtlMs: 2000,
};

/** A request item with distinct params per `n`. */
export function request(n: number | string, text = `question ${n}`) {
  return {
    custom_id: `req-${n}`,
    params: {
      model: 'claude-sonnet-5-5',
      max_tokens: 64,
      messages: [{ role: 'user', content: text }],
    },
  };
}

let instances = 0;

/** A simulator, a database and managers on them; `close()` ends them all. */
export class TestBed {
  readonly managers: BatchJobManager[] = [];
  private constructor(
    readonly database: DatabaseHandle,
    readonly simulator: RunningSimulator,
  ) {}

  static async open(simulator: SimulatorOptions = {}): Promise<TestBed> {
    const database = await openTestDatabase();
    return new TestBed(database, await startSimulator({ latencyMs: 30, ...simulator }));
  }

  /** A manager on the shared database and simulator. */
  manager(options: BatchJobManagerOptions = {}): BatchJobManager {
    const manager = new BatchJobManager({
      ...FAST,
      instanceId: `instance-${++instances}`,
      database: this.database,
      anthropic: { apiKey: 'test-key', baseURL: this.simulator.url },
      ...options,
    });
    this.managers.push(manager);
    return manager;
  }

  /** Stops every manager made so far (between tests, so none works on the next test's jobs). */
  async closeManagers(): Promise<void> {
    await Promise.all(this.managers.splice(0).map((m) => m.close()));
  }

  async close(): Promise<void> {
    await this.closeManagers();
    await this.simulator.stop();
    await this.database.close();
  }
}

/** Waits until the job reaches one of `statuses` (the test's own timeout bounds the wait). */
export async function waitForStatus(
  manager: BatchJobManager,
  jobId: string,
  statuses: JobStatus[],
): Promise<JobDetails> {
  for (;;) {
    const job = await manager.getJob(jobId);
    if (job && statuses.includes(job.status)) return job;
    await sleep(15);
  }
}

/** Waits until `check` holds. */
export async function waitUntil(check: () => Promise<boolean> | boolean): Promise<void> {
  while (!(await check())) await sleep(15);
}
