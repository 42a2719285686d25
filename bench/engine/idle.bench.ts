import { type Benchmark, type Figure, formatNumber } from '../harness/figure.js';
import { median } from '../support.js';
import { type IdleRound, measureIdleRound, statementsOf } from './idle-round.js';
import { describeStatements, splitTransactionControl, sumCounts } from './query-counts.js';

const FULL = { rounds: 3, settleMs: 5_000, windowMs: 10_000 };
const QUICK = { rounds: 1, settleMs: 2_000, windowMs: 3_000 };
const MB = 1024 * 1024;

/**
 * idle: what an instance with no jobs costs. Statements/s of a serve on a
 * direct Postgres connection, counted at its pg client over a window after
 * start-up settled; idle RSS of that serve and of a serve on embedded PGlite,
 * against a bare Hono app on @hono/node-server. The three run side by side,
 * started afresh each round.
 */
export const benchIdle: Benchmark = async ({ quick }) => {
  const size = quick ? QUICK : FULL;
  const rounds: IdleRound[] = [];
  for (let round = 0; round < size.rounds; round++) {
    rounds.push(await measureIdleRound(size.settleMs, size.windowMs));
  }
  const typical = (pick: (r: IdleRound) => number) => median(rounds.map(pick));
  const perSecond = (pick: (r: IdleRound) => number) => (r: IdleRound) => pick(r) / r.windowSeconds;
  const statements = perSecond((r) => statementsOf(r.queries));
  const control = perSecond((r) => splitTransactionControl(r.queries).control);
  const seconds = rounds.reduce((sum, r) => sum + r.windowSeconds, 0);
  const bare = `bare Hono on @hono/node-server (plain node): ${mb(typical((r) => r.rss.bare))}`;
  const rssFigure = (name: string, pick: (r: IdleRound) => number, note: string): Figure => ({
    benchmark: 'idle',
    name,
    ours: mb(typical(pick)),
    baseline: bare,
    kind: 'ratio',
    values: rounds.map((r) => pick(r) / r.rss.bare),
    note,
  });
  return [
    {
      benchmark: 'idle',
      name: 'idle statements/s, serve on Postgres, no jobs',
      ours: `${perSecondText(typical(statements))}, of which BEGIN/COMMIT ${perSecondText(typical(control))}`,
      baseline: '— (counted at its pg client)',
      kind: 'count',
      values: rounds.map(statements),
      target: { op: '<=', value: 2 },
      note: `over ${size.windowMs / 1000} s after ${size.settleMs / 1000} s of settling, ${size.rounds} round(s); a second: ${describeStatements(sumCounts(rounds.map((r) => r.queries)), seconds)}`,
    },
    rssFigure(
      'idle RSS, serve on Postgres',
      (r) => r.rss.postgres,
      `VmRSS of the serve process after ${(size.settleMs + size.windowMs) / 1000} s idle, no forced GC (serve starts no child process)`,
    ),
    rssFigure(
      'idle RSS, serve on embedded PGlite (npm start)',
      (r) => r.rss.pglite,
      'fresh BATCHKEEPER_DATA_DIR, no DATABASE_URL, no ANTHROPIC_API_KEY (the built-in simulator runs in it), as `npm start`; issue 12 wants ≤ 400 MB',
    ),
  ];
};

function perSecondText(value: number): string {
  return formatNumber(value, '/s');
}

function mb(bytes: number): string {
  return formatNumber(bytes / MB, 'MB', 0);
}
