import { type Figure, formatNumber } from '../harness/figure.js';
import { median } from '../support.js';
import type { BatchkeeperLifecycleRun } from './batchkeeper-lifecycle.js';
import type { GraphileLifecycleRun } from './graphile-lifecycle.js';
import { SUBMITTERS } from './lifecycle-job.js';
import { describeStatements, splitTransactionControl } from './query-counts.js';
import type { BatchCalls } from './simulator-call-counter.js';

/** One lifecycle round: our two set-ups and the peer. */
export interface LifecycleRound {
  one: BatchkeeperLifecycleRun;
  three: BatchkeeperLifecycleRun;
  graphile: GraphileLifecycleRun;
}

type Run = BatchkeeperLifecycleRun;

const cpuPerJob = (run: Run) => run.serveCpuMs / run.jobs;
const workPerJob = (run: Run) => splitTransactionControl(run.queries).work / run.jobs;
const controlPerJob = (run: Run) => splitTransactionControl(run.queries).control / run.jobs;
const transactionsPerJob = (run: Run) => run.serverTransactions / run.jobs;
const clientTransactionsPerJob = (run: Run) => run.queries.transactions / run.jobs;
const callsPerJob = (endpoint: keyof BatchCalls) => (run: Run) => run.calls[endpoint] / run.jobs;

/** The lifecycle benchmark's figures from its rounds. */
export function lifecycleFigures(rounds: readonly LifecycleRound[], peer: string): Figure[] {
  const typical = (pick: (r: LifecycleRound) => number) => median(rounds.map(pick));
  const one = (pick: (run: Run) => number) => typical((r) => pick(r.one));
  const three = (pick: (run: Run) => number) => typical((r) => pick(r.three));
  const counted = (
    name: string,
    pick: (run: Run) => number,
    fields: Pick<Figure, 'ours' | 'baseline'> & Partial<Pick<Figure, 'target' | 'note'>>,
  ): Figure => ({
    benchmark: 'lifecycle',
    name,
    kind: 'count',
    values: rounds.map((r) => pick(r.one)),
    ...fields,
  });
  const calls = (endpoint: keyof BatchCalls) => count(one(callsPerJob(endpoint)));
  const jobs = rounds[0]!.one.jobs;

  return [
    {
      benchmark: 'lifecycle',
      name: `${jobs} jobs × 10 requests, 1 instance × 15 slots, jobs/s`,
      ours: rate(one((run) => run.jobsPerSecond)),
      baseline: `${peer}: ${rate(typical((r) => r.graphile.jobsPerSecond))}`,
      kind: 'ratio',
      values: rounds.map((r) => r.one.jobsPerSecond / r.graphile.jobsPerSecond),
      target: { op: '>=', value: 0.25, label: 'graphile-worker' },
      note: `${rounds.length} round(s), order rotating; simulator latency 0; one POST (ours) or addJob (peer) per job, ${SUBMITTERS} at a time; first create to last completed`,
    },
    {
      benchmark: 'lifecycle',
      name: '3 instances × 5 slots against 1 × 15, jobs/s',
      ours: `3 × 5: ${rate(three((run) => run.jobsPerSecond))}`,
      baseline: `1 × 15: ${rate(one((run) => run.jobsPerSecond))}`,
      kind: 'ratio',
      values: rounds.map((r) => r.three.jobsPerSecond / r.one.jobsPerSecond),
      target: { op: '>=', value: 0.9, label: '1 instance' },
    },
    {
      benchmark: 'lifecycle',
      name: 'serve CPU per job, 3 instances against 1',
      ours: `3 × 5: ${ms(three(cpuPerJob))}`,
      baseline: `1 × 15: ${ms(one(cpuPerJob))}`,
      kind: 'ratio',
      values: rounds.map((r) => cpuPerJob(r.three) / cpuPerJob(r.one)),
      target: { op: '<=', value: 1.2, label: '1 instance' },
      note: 'utime + stime of the serve processes from /proc/<pid>/stat, first create to last completion',
    },
    {
      benchmark: 'lifecycle',
      name: 'active sessions waiting on locks, 3 instances (%)',
      ours: `${pct(three((run) => run.locks.waitingPercent))} (1 instance: ${pct(one((run) => run.locks.waitingPercent))})`,
      baseline: '— (sampled)',
      kind: 'count',
      values: rounds.map((r) => r.three.locks.waitingPercent),
      target: { op: '<=', value: 5 },
      note: `pg_stat_activity of the run's database every 25 ms, from another database: wait_event_type = 'Lock' among state = 'active'; the waits by lock (3 instances): ${lockTypes(rounds.map((r) => r.three))}; waiting ⟵ blocking statement: ${lockStatements(rounds.map((r) => r.three))} (1 instance: ${lockStatements(rounds.map((r) => r.one))})`,
    },
    counted('statements per job besides BEGIN/COMMIT, 1 instance', workPerJob, {
      ours: `${count(one(workPerJob))} + BEGIN/COMMIT ${count(one(controlPerJob))} (3 instances: ${count(three(workPerJob))} + ${count(three(controlPerJob))})`,
      baseline: '— (counted at the serves’ pg client)',
      target: { op: '<=', value: 20 },
      note: `every statement the serves sent, first create to last completion, but the inserts of results rows (counted apart as results-rows; results never read back); a job, 1 instance, round 1: ${describeStatements(rounds[0]!.one.queries, jobs)}`,
    }),
    counted('transactions per job, 1 instance', transactionsPerJob, {
      ours: `${count(one(transactionsPerJob))} (3 instances: ${count(three(transactionsPerJob))})`,
      baseline: `${peer}: ${count(typical((r) => r.graphile.serverTransactions / r.graphile.jobs))}`,
      target: { op: '<=', value: 8 },
      note: `pg_stat_database xact_commit + xact_rollback, read once every session of the run's database ended, less the serves' start-up and shutdown and the bench's polls; counted at the serves' pg client instead: ${count(one(clientTransactionsPerJob))}`,
    }),
    counted('serve CPU ms per job, 1 instance', cpuPerJob, {
      ours: ms(one(cpuPerJob)),
      baseline: `${peer}: ${ms(typical((r) => r.graphile.processCpuMs / r.graphile.jobs))} (the whole bench process)`,
    }),
    counted('Anthropic status retrieves per job, 1 instance', callsPerJob('retrieve'), {
      ours: `retrieves ${calls('retrieve')}; creates ${calls('create')}, list pages ${calls('list')}, results downloads ${calls('results')}, cancels ${calls('cancel')}`,
      baseline: 'wanted: 1 create + 1 download + a share of list pages',
      target: { op: '<=', value: 0 },
      note: 'counted by a proxy in front of the simulator, by method and path; the gateway reads a batch again before downloading its results (for results_url): that is one of the retrieves',
    }),
  ];
}

/** The three commonest `waiting ⟵ blocking` statement pairs. */
function lockStatements(runs: readonly Run[]): string {
  const waits: Record<string, number> = {};
  for (const run of runs) {
    for (const [pair, n] of Object.entries(run.locks.byStatements)) {
      waits[pair] = (waits[pair] ?? 0) + n;
    }
  }
  const total = Object.values(waits).reduce((a, b) => a + b, 0);
  if (total === 0) return 'none';
  return Object.entries(waits)
    .sort(([, a], [, b]) => b - a)
    .slice(0, 3)
    .map(([pair, n]) => `${pair} ${pct((100 * n) / total)}`)
    .join('; ');
}

function lockTypes(runs: readonly Run[]): string {
  const waits: Record<string, number> = {};
  for (const run of runs) {
    for (const [type, n] of Object.entries(run.locks.byLockType)) {
      waits[type] = (waits[type] ?? 0) + n;
    }
  }
  const total = Object.values(waits).reduce((a, b) => a + b, 0);
  if (total === 0) return 'none';
  return Object.entries(waits)
    .sort(([, a], [, b]) => b - a)
    .map(([type, n]) => `${type} ${pct((100 * n) / total)}`)
    .join(', ');
}

const rate = (value: number) => formatNumber(value, 'jobs/s');
const ms = (value: number) => formatNumber(value, 'ms');
const count = (value: number) => value.toFixed(1);
const pct = (value: number) => `${value.toFixed(1)}%`;
