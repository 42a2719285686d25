import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { startSimulator } from '../src/anthropic/simulator/index.js';
import type { LargeJobRun } from './large-job.child.js';
import { openBenchDatabase, printResult } from './support.js';

const BASELINE_REQUESTS = 10_000;
const LARGE_REQUESTS = 100_000;
const SIMULATOR_LATENCY_MS = 200;
const CHILD_TIMEOUT_MS = 10 * 60_000;

/** (1) Live heap gained while collecting, as a share of the collected results' JSON bytes. */
const MAX_COLLECT_LIVE_SHARE = 0.5;
/** (2) Heap left after the job and a full GC, over idle, as a share of the input's growth. */
const MAX_LEFTOVER_SHARE = 0.1;
/** (3) Peak RSS growth 10k -> 100k, as a share of the input's growth (10x). */
const MAX_PEAK_RSS_GROWTH_SHARE = 0.5;

interface Measured extends LargeJobRun {
  /** JSON bytes of the job's final results as stored (what was streamed in). */
  resultBytes: number;
  resultRows: number;
}

/**
 * A job of 100,000 requests through BatchJobManager on real Postgres against
 * the simulator (started here, in this process, with a small latency), until
 * it completes; the same pipeline with 10,000 requests is the baseline. Each
 * job runs in a child process of its own, so that its RSS is only the
 * manager's (the simulator, which keeps every request it was sent, stays
 * here) and its peak is not the other run's high-water mark.
 *
 * Pass when all hold (the reasons are in BENCHMARKS.md):
 * 1. results are streamed: at 100k, the live heap (after a forced full GC,
 *    probed every 500 ms) gained while results are collected is under half
 *    the results' JSON bytes; keeping them, even as text, would cost more than all of them;
 * 2. nothing proportional to the job stays: heap after the job and a full GC
 *    grows from 10k to 100k by under 10% of the input's growth;
 * 3. peak RSS grows from 10k to 100k by a factor under half the input's (10x).
 */
export async function benchLargeJob(): Promise<{ pass: boolean }> {
  const simulator = await startSimulator({ latencyMs: SIMULATOR_LATENCY_MS });
  try {
    const base = await measure(BASELINE_REQUESTS, simulator.url);
    const large = await measure(LARGE_REQUESTS, simulator.url);

    const inputGrowth = large.inputBytes / base.inputBytes;
    const peakRssGrowth = large.maxRssBytes / base.maxRssBytes;
    const collectLive = (r: Measured) =>
      Math.max(0, r.peakLiveHeapInRunBytes - r.submittedHeapUsedBytes);
    const collectShare = collectLive(large) / large.resultBytes;
    const leftover = (r: Measured) => r.afterHeapUsedBytes - r.idleHeapUsedBytes;
    const leftoverShare = (leftover(large) - leftover(base)) / (large.inputBytes - base.inputBytes);

    const checks = {
      complete:
        base.status === 'completed' &&
        large.status === 'completed' &&
        base.succeeded === BASELINE_REQUESTS &&
        large.succeeded === LARGE_REQUESTS &&
        large.resultRows === LARGE_REQUESTS,
      // A collection over before the first probe would read as "nothing gained": not a pass.
      streamed: large.peakLiveHeapInRunBytes > 0 && collectShare < MAX_COLLECT_LIVE_SHARE,
      noLeftovers: leftoverShare < MAX_LEFTOVER_SHARE,
      peakRss: peakRssGrowth < inputGrowth * MAX_PEAK_RSS_GROWTH_SHARE,
    };
    const pass = Object.values(checks).every(Boolean);

    const row = (label: string, f: (r: Measured) => string) =>
      [label, `${f(base)}  |  ${f(large)}`] as const;
    printResult('large-job', {
      ...Object.fromEntries([
        row('requests (10k | 100k)', (r) => String(r.requests)),
        row('input JSON', (r) => mb(r.inputBytes)),
        row('results JSON (stored)', (r) => mb(r.resultBytes)),
        row('wall (createJob..completed)', (r) => `${(r.wallMs / 1000).toFixed(1)} s`),
        row(
          '  create/submit/run/finish',
          (r) =>
            `${(['create', 'submit', 'run', 'finish'] as const).map((p) => (r.phases[p].ms / 1000).toFixed(1)).join('/')} s`,
        ),
        row('idle RSS (warm, after GC)', (r) => mb(r.idleRssBytes)),
        row('peak RSS (maxrss)', (r) => mb(r.maxRssBytes)),
        row('peak RSS over idle', (r) => mb(r.maxRssBytes - r.idleRssBytes)),
        row('  per input byte', (r) =>
          ((r.maxRssBytes - r.idleRssBytes) / r.inputBytes).toFixed(1),
        ),
        row('  peak RSS create/submit/run', (r) =>
          (['create', 'submit', 'run'] as const).map((p) => mb(r.phases[p].peakRssBytes)).join('/'),
        ),
        row('peak heapUsed (sampled)', (r) => mb(r.peakHeapUsedBytes)),
        row('  create/submit/run', (r) =>
          (['create', 'submit', 'run'] as const)
            .map((p) => mb(r.phases[p].peakHeapUsedBytes))
            .join('/'),
        ),
        row('live heap gained collecting', (r) => mb(collectLive(r))),
        row('heap left after job', (r) => mb(leftover(r))),
      ]),
      'input growth': `${inputGrowth.toFixed(2)}x`,
      'wall time growth': `${(large.wallMs / base.wallMs).toFixed(2)}x`,
      'peak RSS growth': `${peakRssGrowth.toFixed(2)}x (target < ${(inputGrowth * MAX_PEAK_RSS_GROWTH_SHARE).toFixed(2)}x) ${checks.peakRss ? 'PASS' : 'FAIL'}`,
      'peak RSS over idle growth': `${((large.maxRssBytes - large.idleRssBytes) / (base.maxRssBytes - base.idleRssBytes)).toFixed(2)}x`,
      'collect live / results': `${collectShare.toFixed(2)} (target < ${MAX_COLLECT_LIVE_SHARE}) ${checks.streamed ? 'PASS' : 'FAIL'}`,
      'leftover / input growth': `${leftoverShare.toFixed(3)} (target < ${MAX_LEFTOVER_SHARE}) ${checks.noLeftovers ? 'PASS' : 'FAIL'}`,
      'every request completed': checks.complete ? 'PASS' : 'FAIL',
      result: pass ? 'PASS' : 'FAIL',
    });
    return { pass };
  } finally {
    await simulator.stop();
  }
}

/** Runs one job of `requests` in a child process on a fresh database. */
async function measure(requests: number, simulatorUrl: string): Promise<Measured> {
  const handle = await openBenchDatabase(2);
  try {
    const run = await runChild(requests, simulatorUrl, handle.url!);
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

function runChild(requests: number, simulatorUrl: string, databaseUrl: string) {
  const runTs = fileURLToPath(new URL('../bin/run-ts', import.meta.url));
  const child = fileURLToPath(new URL('./large-job.child.ts', import.meta.url));
  return new Promise<LargeJobRun>((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      ['--expose-gc', runTs, child, String(requests), simulatorUrl, databaseUrl],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (chunk: string) => {
      out += chunk;
    });
    const timer = setTimeout(() => proc.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith('LARGE_JOB_RESULT '));
      if (code !== 0 || !line) {
        reject(new Error(`large-job child (${requests}) ended with ${signal ?? code}:\n${out}`));
        return;
      }
      resolve(JSON.parse(line.slice('LARGE_JOB_RESULT '.length)) as LargeJobRun);
    });
  });
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
