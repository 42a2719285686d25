import type { Benchmark } from './harness/figure.js';

/**
 * Every benchmark by its command-line name, in the order `npm run bench` runs
 * them. Each returns figures measured against a baseline in the same run.
 */
export const benchmarks: Record<string, Benchmark> = {
  // engine (bench/engine/)
  // edges (bench/edges/)
};
