import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { countTakeovers, spread, takeoverTimes } from './support/chaos-figures.js';
import {
  countBatchEvents,
  countLeases,
  countOrphanedDuplicates,
  countRequests,
  countUnfinishedJobs,
  deliveriesByStatus,
  jobStarts,
  jobsByStatus,
  originalsByFinalResults,
} from './support/chaos-queries.js';
import { type ChaosRun, type ChaosSettings, runChaos } from './support/chaos-run.js';
import { Cleanups } from './support/cleanups.js';

const SETTINGS: ChaosSettings = {
  seed: Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000),
  jobs: Number(process.env.CHAOS_JOBS ?? 300),
  instances: 3,
  simulatorFlags: [
    ['--latency-ms', '1000'],
    ['--error-rate', '0.1'],
    ['--rate-limit-rate', '0.03'],
    ['--overload-rate', '0.03'],
    ['--server-error-rate', '0.03'],
  ].flat(),
  instanceEnv: {
    BATCHKEEPER_LEASE_TTL_MS: '3000',
    BATCHKEEPER_SCHEDULER_INTERVAL_MS: '100',
    BATCHKEEPER_POLL_INTERVAL_MS: '250',
    BATCHKEEPER_POLL_MAX_MS: '1000',
    BATCHKEEPER_RECONCILE_AFTER_MS: '4000',
    BATCHKEEPER_SUBMIT_TIMEOUT_MS: '5000',
    BATCHKEEPER_RETRY_DELAY_MS: '500',
    BATCHKEEPER_MAX_CONCURRENT_JOBS: '8',
  },
  disruptions: {
    durationMs: 45_000,
    killEveryMs: [3000, 6000],
    restartAfterMs: [500, 2000],
    sigtermAtMs: 15_000,
    postgresRestartAtMs: 28_000,
  },
  submitOverMs: 30_000,
};

describe('three instances under crashes, a SIGTERM and a Postgres restart', () => {
  const cleanups = new Cleanups();
  let chaos: ChaosRun;
  let logDir: string;
  let failed = true;
  beforeAll(async () => {
    logDir = await mkdtemp(join(tmpdir(), 'bk-chaos-'));
    console.log(`chaos run: seed ${SETTINGS.seed}, ${SETTINGS.jobs} jobs, logs in ${logDir}`);
    chaos = await runChaos(SETTINGS, logDir, cleanups);
    await printFigures(chaos);
    failed = false;
  });
  afterEach((context) => {
    if (context.task.result?.state === 'fail') failed = true;
  });
  afterAll(async () => {
    await cleanups.run();
    if (failed) console.log(`logs kept in ${logDir}; run again with CHAOS_SEED=${SETTINGS.seed}`);
    else await rm(logDir, { recursive: true, force: true });
  });

  it('creates each planned job once, however often its create went to a dying instance', async () => {
    const ids = new Set(chaos.submissions.map((s) => s.jobId));
    expect(ids.size).toBe(SETTINGS.jobs);
    const statuses = await jobsByStatus(chaos.db);
    expect(Object.values(statuses).reduce((a, b) => a + b, 0)).toBe(SETTINGS.jobs);
  });

  it('ends every job, and every one completed', async () => {
    expect(await countUnfinishedJobs(chaos.db)).toBe(0);
    expect(await jobsByStatus(chaos.db)).toEqual({ completed: SETTINGS.jobs });
  });

  it('gives every unique request exactly one final result, and every duplicate its original’s', async () => {
    const { total, duplicates } = await countRequests(chaos.db);
    expect(await originalsByFinalResults(chaos.db)).toEqual({ 1: total - duplicates });
    expect(await countOrphanedDuplicates(chaos.db)).toBe(0);
  });

  it('never sends a request again after it succeeded', () => {
    expect(chaos.simulator.resubmittedAfterSuccess).toBe(0);
  });

  it('delivers every job’s callback, signed with its secret, under one webhook-id however often it is redelivered', () => {
    expect(chaos.collector.deliveries.filter((d) => !d.verified)).toEqual([]);
    for (const submission of chaos.submissions.filter((s) => s.planned.callbackToken)) {
      const received = chaos.collector.deliveries.filter(
        (d) => d.token === submission.planned.callbackToken,
      );
      expect(new Set(received.map((d) => d.webhookId)).size).toBe(1);
      expect(new Set(received.map((d) => `${d.type} ${d.jobId}`))).toEqual(
        new Set([`job.completed ${submission.jobId}`]),
      );
      expect(received.some((d) => d.answered === 204)).toBe(true);
    }
  });

  it('rebuilds from the log the very read models the instances kept live', () => {
    expect(chaos.projections.code).toBe(0);
    const report = chaos.projections.report as {
      differences: Record<string, { missing: number; extra: number }>;
    };
    for (const difference of Object.values(report.differences)) {
      expect(difference).toMatchObject({ missing: 0, extra: 0 });
    }
  });

  it('leaves no lease held', async () => {
    expect(await countLeases(chaos.db)).toBe(0);
  });

  it('exits 0 on SIGTERM, in the middle of the run and at its end', () => {
    const sigterm = chaos.disruptions.find((d) => d.kind === 'sigterm');
    expect(sigterm?.exit).toEqual({ code: 0, signal: null });
    expect(chaos.finalExits).toEqual(chaos.finalExits.map(() => ({ code: 0, signal: null })));
  });
});

async function printFigures(chaos: ChaosRun): Promise<void> {
  const starts = await jobStarts(chaos.db);
  const requests = await countRequests(chaos.db);
  const batches = await countBatchEvents(chaos.db);
  const stats = chaos.simulator;
  const jobs = chaos.submissions.length;
  const kills = chaos.disruptions.filter((d) => d.kind === 'sigkill');
  const restart = chaos.disruptions.find((d) => d.kind === 'postgres-restart');
  const deliveries = chaos.collector.deliveries;
  const lines = [
    `seed ${chaos.settings.seed}: ${jobs} jobs, ${requests.total} requests (${requests.duplicates} duplicates, ${requests.total - requests.duplicates} sent on their own)`,
    `timeline: all submitted ${chaos.timings.submitted} ms, all terminal ${chaos.timings.terminal} ms, all callbacks delivered and leases gone ${chaos.timings.delivered} ms`,
    `disruptions: ${kills.length} SIGKILLs, 1 SIGTERM, Postgres restarted once (readyz during it: ${restart?.readiness?.notReady ?? '-'} not ready, ${restart?.readiness?.ready ?? '-'} ready)`,
    `JobStarted after a job's first (takeovers, and jobs claimed again after waiting for others' originals): ${countTakeovers(starts)}`,
    `time to start a killed instance's job again: ${spread(takeoverTimes(chaos.disruptions, starts, 'sigkill'))}`,
    `time to start a SIGTERMed instance's job again: ${spread(takeoverTimes(chaos.disruptions, starts, 'sigterm'))}`,
    `Anthropic: ${stats.batchesCreated} batches (${batches.adopted} adopted after a lost answer, ${batches.abandoned} intents abandoned), ${stats.requestsReceived} requests received, ${stats.httpRequests} calls = ${(stats.httpRequests / jobs).toFixed(1)} calls and ${(stats.batchesCreated / jobs).toFixed(2)} batches per job; faults injected ${JSON.stringify(stats.faultsInjected)}; resubmittedAfterSuccess ${stats.resubmittedAfterSuccess}`,
    `creates retried on another instance: ${chaos.submissions.filter((s) => s.attempts > 1).length}`,
    `webhooks: ${deliveries.length} attempts received, ${new Set(deliveries.map((d) => d.webhookId)).size} distinct webhook-ids, ${deliveries.filter((d) => d.answered === 503).length} answered 503 on purpose; outbox ${JSON.stringify(await deliveriesByStatus(chaos.db))}`,
  ];
  console.log(`chaos figures\n  ${lines.join('\n  ')}`);
}
