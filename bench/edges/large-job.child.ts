import { setTimeout as sleep } from 'node:timers/promises';
import type { JobStatus } from '../../src/domain/job-status.js';
import { BatchJobManager } from '../../src/index.js';

/**
 * One run of the large-job benchmark, in a process of its own so that its
 * peak RSS is its own (RSS seldom shrinks: a run after another would inherit
 * the first one's high-water mark). Started by large-job.bench.ts with
 * `node --expose-gc bin/run-ts bench/edges/large-job.child.ts <requests> <simulator url> <database url>`;
 * prints one line `LARGE_JOB_RESULT {json}` on stdout.
 */

export interface PhaseFigures {
  ms: number;
  peakRssBytes: number;
  peakHeapUsedBytes: number;
}

export interface LargeJobRun {
  jobId: string;
  requests: number;
  /** JSON bytes of the requests as the caller hands them over. */
  inputBytes: number;
  /** RSS and heap once the manager is up and warmed, after a full GC, before the input is built. */
  idleRssBytes: number;
  idleHeapUsedBytes: number;
  /** Highest RSS / heapUsed seen by the 50 ms sampler from createJob to completion. */
  peakRssBytes: number;
  peakHeapUsedBytes: number;
  /** The kernel's high-water mark of the process (getrusage maxrss), sampler or not. */
  maxRssBytes: number;
  /** RSS and heap after a full GC at the moment the batch is seen submitted (the collection's floor). */
  submittedRssBytes: number;
  submittedHeapUsedBytes: number;
  /** Highest heapUsed just after a full GC (every 500 ms) while results were being collected. */
  peakLiveHeapInRunBytes: number;
  /** RSS and heap after a full GC once the job has completed: what the job left behind. */
  afterRssBytes: number;
  afterHeapUsedBytes: number;
  /** createJob called until the job is completed. */
  wallMs: number;
  /** Where the time and memory went, phase by phase. */
  phases: Record<Phase, PhaseFigures>;
  succeeded: number;
  status: JobStatus;
}

type Phase = 'create' | 'submit' | 'run' | 'finish';
const PHASES: Phase[] = ['create', 'submit', 'run', 'finish'];

const WARM_UP_REQUESTS = 50;
const LIVE_PROBE_MS = 500;

/** Distinct requests (no two deduplicate), each a short question. */
export function benchRequest(n: number, prefix: string) {
  return {
    custom_id: `${prefix}-${n}`,
    params: {
      model: 'claude-sonnet-5-5',
      max_tokens: 64,
      messages: [
        { role: 'user', content: `${prefix} question number ${n}: what is ${n} squared?` },
      ],
    },
  };
}

async function main() {
  const [countArg, simulatorUrl, databaseUrl] = process.argv.slice(2);
  const count = Number(countArg);
  if (!Number.isInteger(count) || count <= 0 || !simulatorUrl || !databaseUrl) {
    throw new Error('usage: large-job.child.ts <requests> <simulator url> <database url>');
  }
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');

  const manager = new BatchJobManager({
    databaseUrl,
    anthropic: { apiKey: 'bench', baseURL: simulatorUrl },
    instanceId: `bench-large-job-${count}`,
    pollIntervalMs: 100,
    pollMaxMs: 500,
    schedulerIntervalMs: 50,
    log: (level, message, fields) => {
      if (level !== 'info') console.error(level, message, fields);
    },
  });
  try {
    await manager.ready();
    // A small job first, so every code path is loaded and compiled before the idle figure.
    const warm = await manager.createJob({
      requests: Array.from({ length: WARM_UP_REQUESTS }, (_, i) => benchRequest(i, 'warm')),
    });
    await waitFor(manager, warm.id, () => {});

    gc();
    await sleep(100);
    gc();
    const idle = process.memoryUsage();

    let phase: Phase = 'create';
    const figures = Object.fromEntries(
      PHASES.map((p) => [p, { ms: 0, peakRssBytes: 0, peakHeapUsedBytes: 0 }]),
    ) as Record<Phase, PhaseFigures>;
    const sample = () => {
      const { rss, heapUsed } = process.memoryUsage();
      const f = figures[phase];
      f.peakRssBytes = Math.max(f.peakRssBytes, rss);
      f.peakHeapUsedBytes = Math.max(f.peakHeapUsedBytes, heapUsed);
    };
    const sampler = setInterval(sample, 50);
    // While results are collected, a full GC now and then shows the live heap (garbage aside).
    let peakLiveHeapInRun = 0;
    const liveProbe = setInterval(() => {
      if (phase !== 'run') return;
      gc();
      peakLiveHeapInRun = Math.max(peakLiveHeapInRun, process.memoryUsage().heapUsed);
    }, LIVE_PROBE_MS);
    let phaseStart = performance.now();
    const endPhase = () => {
      sample();
      figures[phase].ms = performance.now() - phaseStart;
      phaseStart = performance.now();
    };
    const enter = (next: Phase) => {
      endPhase();
      phase = next;
      sample();
    };
    let submitted = { rss: 0, heapUsed: 0 };

    // The input is built and measured outside the sampled window: it is the caller's memory.
    let requests: ReturnType<typeof benchRequest>[] | undefined = Array.from(
      { length: count },
      (_, i) => benchRequest(i, 'large'),
    );
    const inputBytes = Buffer.byteLength(JSON.stringify(requests));

    const start = performance.now();
    sample();
    const job = await manager.createJob({ requests });
    requests = undefined; // the caller lets go of its copy; what stays is the manager's
    enter('submit');
    const final = await waitFor(manager, job.id, (batches) => {
      if (phase === 'submit' && batches.some((b) => b.status !== 'intended')) {
        // The submission's garbage goes, so the run phase's peak is the collection's own.
        gc();
        submitted = process.memoryUsage();
        enter('run');
      }
      if (phase === 'run' && batches.length > 0 && batches.every((b) => b.status === 'collected'))
        enter('finish');
    });
    endPhase();
    const wallMs = performance.now() - start;
    clearInterval(sampler);
    clearInterval(liveProbe);
    gc();
    await sleep(100);
    gc();
    const after = process.memoryUsage();

    const result: LargeJobRun = {
      jobId: job.id,
      requests: count,
      inputBytes,
      idleRssBytes: idle.rss,
      idleHeapUsedBytes: idle.heapUsed,
      peakRssBytes: Math.max(...PHASES.map((p) => figures[p].peakRssBytes)),
      peakHeapUsedBytes: Math.max(...PHASES.map((p) => figures[p].peakHeapUsedBytes)),
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      submittedRssBytes: submitted.rss,
      submittedHeapUsedBytes: submitted.heapUsed,
      peakLiveHeapInRunBytes: peakLiveHeapInRun,
      afterRssBytes: after.rss,
      afterHeapUsedBytes: after.heapUsed,
      wallMs,
      phases: figures,
      succeeded: final.progress.completed,
      status: final.status,
    };
    console.log(`LARGE_JOB_RESULT ${JSON.stringify(result)}`);
  } finally {
    await manager.close();
  }
}

/** Polls the job until it has ended, telling `onBatches` what its batches look like each time. */
async function waitFor(
  manager: BatchJobManager,
  jobId: string,
  onBatches: (batches: Array<{ status: string }>) => void,
) {
  for (;;) {
    const job = await manager.getJob(jobId);
    if (!job) throw new Error(`job ${jobId} vanished`);
    onBatches(job.batches);
    if (['completed', 'failed', 'cancelled', 'expired'].includes(job.status)) return job;
    await sleep(100);
  }
}

await main();
