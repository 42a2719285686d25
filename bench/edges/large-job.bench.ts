import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { startSimulator } from '../../src/anthropic/simulator/index.js';
import type { Benchmark, Figure } from '../harness/figure.js';
import { megabytes, openBenchDatabase, printResult } from '../support.js';
import { runToExit } from './child-processes.js';
import type { LargeJobRun } from './large-job.child.js';

const SIMULATOR_LATENCY_MS = 200;
const CHILD_TIMEOUT_MS = 10 * 60_000;
const RUN_TS = fileURLToPath(new URL('../../bin/run-ts', import.meta.url));
const CHILD = fileURLToPath(new URL('./large-job.child.ts', import.meta.url));

interface Measured extends LargeJobRun {
  /** JSON bytes of the job's final results as stored (what was streamed in). */
  resultBytes: number;
  resultRows: number;
}

/**
 * A job of 100,000 requests (quick: 20,000) through BatchJobManager on real Postgres against
 * the simulator (started here, with a small latency) until it completes; the same pipeline
 * with a tenth of the requests is the baseline. Each job runs in a child process of its own,
 * so its RSS is the manager's alone (the simulator keeps every request it was sent) and its
 * peak is not the other run's high-water mark. Three figures (the reasons are in BENCHMARKS.md):
 * 1. results are streamed: live heap gained while collecting, over the results' JSON bytes;
 * 2. nothing proportional to the job stays: the growth of the heap left after the job and a
 *    full GC, over the input's growth;
 * 3. peak RSS growth, over the input's growth.
 * A job that does not complete every request is an error, not a figure.
 */
export const benchLargeJob: Benchmark = async ({ quick }) => {
  const largeRequests = quick ? 20_000 : 100_000;
  const baseRequests = largeRequests / 10;
  const simulator = await startSimulator({ latencyMs: SIMULATOR_LATENCY_MS });
  try {
    const base = await measure(baseRequests, simulator.url);
    const large = await measure(largeRequests, simulator.url);
    for (const run of [base, large]) {
      if (
        run.status !== 'completed' ||
        run.succeeded !== run.requests ||
        run.resultRows !== run.requests
      ) {
        throw new Error(
          `the ${run.requests}-request job ended ${run.status} with ${run.succeeded} succeeded and ${run.resultRows} results stored`,
        );
      }
    }

    const inputGrowth = large.inputBytes / base.inputBytes;
    const peakRssGrowth = large.maxRssBytes / base.maxRssBytes;
    const collectLive = (r: Measured) =>
      Math.max(0, r.peakLiveHeapInRunBytes - r.submittedHeapUsedBytes);
    const leftover = (r: Measured) => r.afterHeapUsedBytes - r.idleHeapUsedBytes;
    // A collection over before the first probe would read as "nothing gained": no figure.
    const collectShare =
      large.peakLiveHeapInRunBytes > 0 ? collectLive(large) / large.resultBytes : Number.NaN;
    const leftoverShare = (leftover(large) - leftover(base)) / (large.inputBytes - base.inputBytes);
    printPhases(base, large);

    const sizes = `${large.requests / 1000}k vs ${base.requests / 1000}k requests`;
    const figures: Figure[] = [
      {
        benchmark: 'large-job',
        name: `results streamed: live heap gained collecting / results JSON, ${large.requests / 1000}k`,
        ours: `${megabytes(collectLive(large))} live heap gained`,
        baseline: `${megabytes(large.resultBytes)} of results JSON`,
        kind: 'ratio',
        values: [collectShare],
        target: { op: '<=', value: 0.5, label: 'results JSON' },
      },
      {
        benchmark: 'large-job',
        name: `nothing left behind: leftover heap growth / input growth, ${sizes}`,
        ours: `heap left after the job ${megabytes(leftover(base))} → ${megabytes(leftover(large))}`,
        baseline: `input JSON ${megabytes(base.inputBytes)} → ${megabytes(large.inputBytes)}`,
        kind: 'ratio',
        values: [leftoverShare],
        target: { op: '<=', value: 0.1, label: 'input growth' },
      },
      {
        benchmark: 'large-job',
        name: `peak RSS growth / input growth, ${sizes}`,
        ours: `peak RSS ${megabytes(base.maxRssBytes)} → ${megabytes(large.maxRssBytes)} (${peakRssGrowth.toFixed(2)}×)`,
        baseline: `input ${inputGrowth.toFixed(2)}×`,
        kind: 'ratio',
        values: [peakRssGrowth / inputGrowth],
        target: { op: '<=', value: 0.5, label: 'input growth' },
      },
    ];
    return figures;
  } finally {
    await simulator.stop();
  }
};

/** Runs one job of `requests` in a child process on a fresh database. */
async function measure(requests: number, simulatorUrl: string): Promise<Measured> {
  const handle = await openBenchDatabase(2);
  try {
    const { stdout } = await runToExit(
      process.execPath,
      ['--expose-gc', RUN_TS, CHILD, String(requests), simulatorUrl, handle.url!],
      { timeoutMs: CHILD_TIMEOUT_MS },
    );
    const line = stdout.split('\n').find((l) => l.startsWith('LARGE_JOB_RESULT '));
    if (!line) throw new Error(`large-job child (${requests}) printed no result:\n${stdout}`);
    const run = JSON.parse(line.slice('LARGE_JOB_RESULT '.length)) as LargeJobRun;
    const stored = await sql<{ rows: number; bytes: number }>`
      select count(*)::int as rows, coalesce(sum(octet_length(result::text)), 0)::bigint as bytes
      from request_results where job_id = ${run.jobId} and final
    `.execute(handle.db);
    const { rows, bytes } = stored.rows[0]!;
    return { ...run, resultRows: rows, resultBytes: Number(bytes) };
  } finally {
    await handle.close();
  }
}

/** Where the time and memory went, phase by phase (context for the figures, not judged). */
function printPhases(base: Measured, large: Measured) {
  const row = (label: string, f: (r: Measured) => string) =>
    [label, `${f(base)}  |  ${f(large)}`] as const;
  const phases = ['create', 'submit', 'run'] as const;
  printResult(`large-job (${base.requests} | ${large.requests})`, {
    ...Object.fromEntries([
      row('input JSON', (r) => megabytes(r.inputBytes)),
      row('results JSON (stored)', (r) => megabytes(r.resultBytes)),
      row('wall (createJob..completed)', (r) => `${(r.wallMs / 1000).toFixed(1)} s`),
      row(
        '  create/submit/run/finish',
        (r) =>
          `${[...phases, 'finish' as const].map((p) => (r.phases[p].ms / 1000).toFixed(1)).join('/')} s`,
      ),
      row('idle RSS (warm, after GC)', (r) => megabytes(r.idleRssBytes)),
      row('peak RSS (maxrss)', (r) => megabytes(r.maxRssBytes)),
      row('  peak RSS create/submit/run', (r) =>
        phases.map((p) => megabytes(r.phases[p].peakRssBytes)).join('/'),
      ),
      row('  peak heapUsed create/submit/run', (r) =>
        phases.map((p) => megabytes(r.phases[p].peakHeapUsedBytes)).join('/'),
      ),
    ]),
  });
}
