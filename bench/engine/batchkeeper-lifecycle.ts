import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { Cleanups } from '../../test/chaos/support/cleanups.js';
import { runConcurrently } from '../support.js';
import { startCountedSimulator } from './bench-simulator.js';
import { settledTransactionCount } from './database-stats.js';
import { lifecycleJobBody, SUBMITTERS } from './lifecycle-job.js';
import { LockSampler, type LockSamples } from './lock-sampler.js';
import { cpuMs } from './proc-stats.js';
import { countsBetween, type QueryCounts, sumCounts } from './query-counts.js';
import { connectAdmin, createMigratedDatabase } from './scratch-database.js';
import { type ServeProcess, startServeProcess } from './serve-process.js';
import { type BatchCalls, callsBetween } from './simulator-call-counter.js';
import { startAll } from './start-all.js';

export interface BatchkeeperLifecycleOptions {
  jobs: number;
  instances: number;
  slotsPerInstance: number;
  /** Jobs each instance works before the measured run (not counted): JIT warm-up. */
  warmupPerInstance: number;
}

/** What one run of N jobs through `serve` instances took, counted over the run only. */
export interface BatchkeeperLifecycleRun {
  jobs: number;
  seconds: number;
  jobsPerSecond: number;
  /** What the serve processes sent through pg, added up. */
  queries: QueryCounts;
  /** Transactions the server counted in the run's database over the run. */
  serverTransactions: number;
  /** CPU time of the serve processes, added up. */
  serveCpuMs: number;
  calls: BatchCalls;
  locks: LockSamples;
}

const SETTLE_MS = 1_000;
const COMPLETION_POLL_MS = 100;
const RUN_TIMEOUT_MS = 15 * 60_000;

/**
 * A fresh database, a simulator (latency 0) behind a call counter, and
 * `instances` serve processes of `slotsPerInstance` slots each; first
 * `warmupPerInstance` jobs an instance, worked to the end and not counted (each
 * process compiles its hot code on its own: three processes of 300 jobs would
 * otherwise pay three warm-ups where one of 900 pays one); then `jobs` jobs of
 * 10 requests POSTed round-robin, SUBMITTERS at a time, timed from the first
 * POST to the last job's completed_at. The serves' counters are read just
 * before the first POST and just after the last completion.
 */
export async function runBatchkeeperLifecycle(
  options: BatchkeeperLifecycleOptions,
): Promise<BatchkeeperLifecycleRun> {
  const cleanups = new Cleanups();
  try {
    const database = await createMigratedDatabase('batchkeeper_bench_lifecycle');
    cleanups.add(() => database.drop());
    const simulator = await startCountedSimulator();
    cleanups.add(() => simulator.stop());
    const admin = await connectAdmin();
    cleanups.add(() => admin.end());
    const transactionsAtStart = await settledTransactionCount(admin, database.name);

    const serves = await startAll(
      Array.from({ length: options.instances }, (_, n) => {
        const name = `lifecycle-${n + 1}`;
        return startServeProcess(name, {
          DATABASE_URL: database.url,
          ANTHROPIC_API_KEY: 'bench',
          ANTHROPIC_BASE_URL: simulator.url,
          BATCHKEEPER_INSTANCE_ID: name,
          BATCHKEEPER_MAX_CONCURRENT_JOBS: String(options.slotsPerInstance),
          BATCHKEEPER_MAX_QUEUE_SIZE: String(options.jobs * 2),
          LOG_LEVEL: 'warn',
        });
      }),
    );
    cleanups.add(() => Promise.all(serves.map((s) => s.stop())).then(() => {}));
    await sleep(SETTLE_MS);
    const poller = new pg.Client({ connectionString: database.url });
    await poller.connect();
    cleanups.add(() => poller.end());
    const warmup = options.warmupPerInstance * options.instances;
    let warmupPolls = 0;
    if (warmup > 0) {
      await postJobs(serves, warmup, `warmup-${randomBytes(4).toString('hex')}`);
      warmupPolls = (await untilAllCompleted(poller, warmup)).polls;
      await sleep(SETTLE_MS);
    }

    const measure = async () => ({
      queries: await Promise.all(serves.map((s) => s.queryCounts())),
      cpuMs: serves.reduce((sum, s) => sum + cpuMs(s.pid), 0),
      calls: simulator.counter.calls(),
    });
    const before = await measure();
    const locks = new LockSampler(admin, database.name);
    cleanups.add(() => locks.stop().then(() => {}));
    const run = randomBytes(4).toString('hex');
    const startedAt = Date.now();

    await postJobs(serves, options.jobs, run);
    const { polls, lastCompletedAt } = await untilAllCompleted(poller, warmup + options.jobs);
    const after = await measure();
    const lockSamples = await locks.stop();

    await poller.end();
    const finals = await Promise.all(serves.map((s) => s.stop()));
    if (finals.some((f) => f === null)) throw new Error('a serve process had to be killed');
    // The server's count covers the serves' start-up and shutdown too: take out what they
    // sent outside the run (counted at their pg client), and the bench's own polls.
    const outsideRun =
      sumCounts(before.queries).transactions +
      sumCounts(finals as QueryCounts[]).transactions -
      sumCounts(after.queries).transactions;
    // The poller's connection start-up, then one transaction a poll (the warm-up's too).
    const polling = 1 + polls + warmupPolls;
    const serverTransactions =
      (await settledTransactionCount(admin, database.name)) -
      transactionsAtStart -
      outsideRun -
      polling;

    const seconds = (lastCompletedAt.getTime() - startedAt) / 1000;
    return {
      jobs: options.jobs,
      seconds,
      jobsPerSecond: options.jobs / seconds,
      queries: countsBetween(sumCounts(before.queries), sumCounts(after.queries)),
      serverTransactions,
      serveCpuMs: after.cpuMs - before.cpuMs,
      calls: callsBetween(before.calls, after.calls),
      locks: lockSamples,
    };
  } finally {
    await cleanups.run();
  }
}

/** POSTs job 0..jobs-1 round-robin to the serves, SUBMITTERS at a time. */
async function postJobs(serves: readonly ServeProcess[], jobs: number, run: string): Promise<void> {
  await runConcurrently(jobs, SUBMITTERS, async (n) => {
    const serve = serves[n % serves.length]!;
    const response = await fetch(`${serve.url}/v1/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: lifecycleJobBody(run, n),
    });
    if (response.status !== 201) {
      throw new Error(`${serve.name} answered ${response.status}: ${await response.text()}`);
    }
  });
}

/** Polls the job list until every job has ended; how many polls, and when the last one ended. */
async function untilAllCompleted(
  poller: pg.Client,
  jobs: number,
): Promise<{ polls: number; lastCompletedAt: Date }> {
  const deadline = Date.now() + RUN_TIMEOUT_MS;
  for (let polls = 1; ; polls++) {
    const { rows } = await poller.query<{ unfinished: number; completed: number; last: Date }>(
      `select count(*) filter (where completed_at is null)::int as unfinished,
              count(*) filter (where status = 'completed')::int as completed,
              max(completed_at) as last
         from jobs`,
    );
    const row = rows[0]!;
    if (row.unfinished === 0) {
      if (row.completed !== jobs) throw new Error(`${jobs - row.completed} jobs did not complete`);
      return { polls, lastCompletedAt: row.last };
    }
    if (Date.now() > deadline) throw new Error(`${row.unfinished} jobs unfinished at the deadline`);
    await sleep(COMPLETION_POLL_MS);
  }
}
