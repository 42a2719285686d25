import { benchCreateJob } from './edges/create-job.bench.js';
import { benchEventAppend } from './edges/event-append.bench.js';
import { benchGetJob } from './edges/get-job.bench.js';
import { benchLargeJob } from './edges/large-job.bench.js';
import { benchRelay } from './edges/relay.bench.js';
import { benchResults } from './edges/results.bench.js';
import { benchDispatch } from './engine/dispatch.bench.js';
import { benchIdle } from './engine/idle.bench.js';
import { benchLifecycle } from './engine/lifecycle.bench.js';
import type { Benchmark } from './harness/figure.js';

/**
 * Every benchmark by its command-line name, in the order `npm run bench` runs
 * them. Each returns figures measured against a baseline in the same run.
 */
export const benchmarks: Record<string, Benchmark> = {
  // engine (bench/engine/)
  dispatch: benchDispatch,
  lifecycle: benchLifecycle,
  idle: benchIdle,
  // edges (bench/edges/)
  'event-append': benchEventAppend,
  'get-job': benchGetJob,
  'create-job': benchCreateJob,
  relay: benchRelay,
  results: benchResults,
  'large-job': benchLargeJob,
};
