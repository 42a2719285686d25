import { runMigrations } from 'graphile-worker';
import { Cleanups } from '../../test/chaos/support/cleanups.js';
import { runConcurrently } from '../support.js';
import { settledTransactionCount } from './database-stats.js';
import { GRAPHILE_SILENT_LOGGER, startGraphilePeer } from './graphile-peer.js';
import { SUBMITTERS } from './lifecycle-job.js';
import { connectAdmin, createScratchDatabase } from './scratch-database.js';

/** What the peer's run of N no-op jobs took. */
export interface GraphileLifecycleRun {
  jobs: number;
  seconds: number;
  jobsPerSecond: number;
  /** Server transactions in its database from the runner's start to its stop. */
  serverTransactions: number;
  /** CPU of this whole process over the run (the runner and the adding clients). */
  processCpuMs: number;
}

const RUN_TIMEOUT_MS = 5 * 60_000;

/**
 * graphile-worker's side of the lifecycle: a fresh database with its schema
 * installed, a runner with `concurrency` workers in this process, `warmup` jobs
 * worked first and not counted (as on our side), then `jobs` no-op jobs added
 * with one `add_job` each, SUBMITTERS at a time, timed from the first add to
 * the last job's completion written back.
 */
export async function runGraphileLifecycle(
  jobs: number,
  concurrency: number,
  warmup = 0,
): Promise<GraphileLifecycleRun> {
  const cleanups = new Cleanups();
  try {
    const database = await createScratchDatabase('batchkeeper_bench_graphile');
    cleanups.add(() => database.drop());
    const admin = await connectAdmin();
    cleanups.add(() => admin.end());
    await runMigrations({ connectionString: database.url, logger: GRAPHILE_SILENT_LOGGER });
    // Read with every session ended, so from before the runner starts: the warm-up's are in it.
    const transactionsAtStart = await settledTransactionCount(admin, database.name);
    let completed = 0;
    const waiters: Array<{ count: number; resolve: () => void }> = [];
    const untilCompleted = (count: number) =>
      new Promise<void>((resolve) => {
        if (completed >= count) resolve();
        else waiters.push({ count, resolve });
      });
    const peer = await startGraphilePeer(database.url, concurrency, {
      onJobComplete: () => {
        completed += 1;
        for (const waiter of waiters) if (completed >= waiter.count) waiter.resolve();
      },
    });
    cleanups.add(() => peer.stop());
    if (warmup > 0) {
      await runConcurrently(warmup, SUBMITTERS, (n) => peer.addJob(`warmup-${n}`));
      await untilCompleted(warmup);
    }
    const done = untilCompleted(warmup + jobs);

    const cpuBefore = process.cpuUsage();
    const startedAt = performance.now();
    await runConcurrently(jobs, SUBMITTERS, (n) => peer.addJob(`job-${n}`));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${warmup + jobs - completed} jobs unfinished`)),
        RUN_TIMEOUT_MS,
      );
    });
    await Promise.race([done, timeout]).finally(() => clearTimeout(timer));
    const seconds = (performance.now() - startedAt) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    await peer.stop();
    return {
      jobs,
      seconds,
      jobsPerSecond: jobs / seconds,
      // Transactions do not depend on warm-up: the run's share of the whole is its jobs' share.
      serverTransactions:
        (((await settledTransactionCount(admin, database.name)) - transactionsAtStart) * jobs) /
        (warmup + jobs),
      processCpuMs: (cpu.user + cpu.system) / 1000,
    };
  } finally {
    await cleanups.run();
  }
}
