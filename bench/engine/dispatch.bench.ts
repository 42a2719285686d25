import { runMigrations } from 'graphile-worker';
import { Cleanups } from '../../test/chaos/support/cleanups.js';
import { type Benchmark, type Figure, formatNumber } from '../harness/figure.js';
import { median } from '../support.js';
import { type DispatchSamples, measureBatchkeeperDispatch } from './batchkeeper-dispatch.js';
import { startBenchSimulator } from './bench-simulator.js';
import { measureGraphileDispatch } from './graphile-dispatch.js';
import { GRAPHILE_SILENT_LOGGER } from './graphile-peer.js';
import { type LatencySummary, summarizeLatencies } from './latency-stats.js';
import { runPairedRounds } from './paired-rounds.js';
import { createMigratedDatabase, createScratchDatabase } from './scratch-database.js';

const FULL = { rounds: 6, samples: 150, warmup: 5 };
const QUICK = { rounds: 2, samples: 20, warmup: 3 };
const PEER = 'graphile-worker 0.17 addJob → task start';

/**
 * dispatch: how long a new one-request job waits before it is being worked on
 * (createJob → `processing`), against graphile-worker's addJob → task start,
 * both in this process on the same Postgres, one job at a time.
 */
export const benchDispatch: Benchmark = async ({ quick }) => {
  const size = quick ? QUICK : FULL;
  const cleanups = new Cleanups();
  try {
    const ours = await createMigratedDatabase('batchkeeper_bench_dispatch');
    cleanups.add(() => ours.drop());
    const peer = await createScratchDatabase('batchkeeper_bench_dispatch_graphile');
    cleanups.add(() => peer.drop());
    const simulator = await startBenchSimulator();
    cleanups.add(() => simulator.stop());
    await runMigrations({ connectionString: peer.url, logger: GRAPHILE_SILENT_LOGGER });

    const rounds = await runPairedRounds(
      size.rounds,
      {
        ours: async () =>
          summarize(
            await measureBatchkeeperDispatch(
              { databaseUrl: ours.url, simulatorUrl: simulator.url },
              size.samples,
              size.warmup,
            ),
          ),
        graphile: async () =>
          summarize(await measureGraphileDispatch(peer.url, size.samples, size.warmup)),
      },
      (round, r) =>
        console.log(
          `round ${round + 1}: ours ${ms(r.ours.median)} / p99 ${ms(r.ours.p99)}, graphile ${ms(r.graphile.median)} / p99 ${ms(r.graphile.p99)}`,
        ),
    );
    const afterStored = (side: 'ours' | 'graphile') =>
      ms(median(rounds.map((r) => r[side].afterStored)));

    const figure = (name: string, pick: (s: LatencySummary) => number, target: number): Figure => ({
      benchmark: 'dispatch',
      name,
      ours: ms(median(rounds.map((r) => pick(r.ours)))),
      baseline: `${PEER}: ${ms(median(rounds.map((r) => pick(r.graphile))))}`,
      kind: 'ratio',
      values: rounds.map((r) => pick(r.ours) / pick(r.graphile)),
      target: { op: '<=', value: target, label: 'graphile-worker' },
    });
    return [
      {
        ...figure('createJob (1 request) → processing, median', (s) => s.median, 2),
        note: `${size.rounds} paired rounds of ${size.samples} jobs a side, one at a time, each left to finish before the next; ours and the peer in this process; of the median, from createJob's return (the job, its requests and its log stored, deduplicated, queued) to processing: ${afterStored('ours')}, from addJob's return to task start: ${afterStored('graphile')}`,
      },
      figure('createJob (1 request) → processing, p99', (s) => s.p99, 3),
    ];
  } finally {
    await cleanups.run();
  }
};

/** A side's latencies, with the median of its samples taken from the call's return. */
function summarize(samples: DispatchSamples): LatencySummary & { afterStored: number } {
  return { ...summarizeLatencies(samples.latencies), afterStored: median(samples.afterStored) };
}

function ms(value: number): string {
  return formatNumber(value, 'ms');
}
