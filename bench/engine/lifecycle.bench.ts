import { type Benchmark, formatNumber } from '../harness/figure.js';
import { runBatchkeeperLifecycle } from './batchkeeper-lifecycle.js';
import { runGraphileLifecycle } from './graphile-lifecycle.js';
import { lifecycleFigures } from './lifecycle-figures.js';
import { runPairedRounds } from './paired-rounds.js';

/** Warm-up: jobs each process works before the measured run, not counted (JIT compilation). */
const FULL = { rounds: 3, jobs: 1_000, warmup: 100 };
const QUICK = { rounds: 1, jobs: 30, warmup: 5 };
/** Slots on both sides: 1 instance × 15, 3 × 5, graphile-worker's concurrency. */
const SLOTS = 15;
const PEER = `graphile-worker 0.17, ${SLOTS} workers, no-op jobs`;

/**
 * lifecycle: jobs of 10 requests from create to completed through `serve`
 * processes (1 × 15 slots, and 3 × 5 slots on one database), against
 * graphile-worker working as many no-op jobs; and what each of our jobs costs,
 * counted: statements, transactions, serve CPU, Anthropic calls, lock waits.
 */
export const benchLifecycle: Benchmark = async ({ quick }) => {
  const { rounds, jobs, warmup } = quick ? QUICK : FULL;
  const results = await runPairedRounds(
    rounds,
    {
      one: () =>
        runBatchkeeperLifecycle({
          jobs,
          instances: 1,
          slotsPerInstance: SLOTS,
          warmupPerInstance: warmup,
        }),
      three: () =>
        runBatchkeeperLifecycle({
          jobs,
          instances: 3,
          slotsPerInstance: SLOTS / 3,
          warmupPerInstance: warmup,
        }),
      graphile: () => runGraphileLifecycle(jobs, SLOTS, warmup),
    },
    (round, r) =>
      console.log(
        `round ${round + 1}: 1 instance ${rate(r.one.jobsPerSecond)}, 3 instances ${rate(r.three.jobsPerSecond)}, graphile ${rate(r.graphile.jobsPerSecond)}`,
      ),
  );
  return lifecycleFigures(results, PEER);
};

const rate = (value: number) => formatNumber(value, 'jobs/s');
