import type { JobState } from '../domain/job.state.js';
import { costSplitOf, webSearchUsdOf } from '../domain/job-cost.js';
import {
  costSavingUsd,
  costUsd,
  jobsByStatus,
  queueDepth,
  resultsIngested,
  tokensUsed,
} from '../observability/metrics.js';
import type { Db } from '../store/schema/index.js';
import { recordCacheChange } from './cache-metrics.js';

const GAUGE_REFRESH_MS = 5000;

/** Counts the outcomes and tokens a committed change added (for /metrics). */
export function recordCommittedChange(before: JobState, after: JobState): void {
  const added = (kind: keyof JobState['outcomes']) =>
    Math.max(0, after.outcomes[kind] - before.outcomes[kind]);
  const byType = {
    succeeded: added('completed'),
    errored: added('failed'),
    canceled: added('cancelled'),
    expired: added('expired'),
  };
  for (const [type, n] of Object.entries(byType)) if (n > 0) resultsIngested.inc({ type }, n);
  const input = after.usage.inputTokens - before.usage.inputTokens;
  const output = after.usage.outputTokens - before.usage.outputTokens;
  if (input > 0) tokensUsed.inc({ kind: 'input' }, input);
  if (output > 0) tokensUsed.inc({ kind: 'output' }, output);
  recordCostChange(before, after);
  recordCacheChange(before, after);
}

/** The cache tokens and cost a change added, by kind (a split that became unknown adds nothing). */
function recordCostChange(before: JobState, after: JobState): void {
  const cacheWrite =
    after.billed.cacheWrite5mTokens +
    after.billed.cacheWrite1hTokens -
    before.billed.cacheWrite5mTokens -
    before.billed.cacheWrite1hTokens;
  const cacheRead = after.billed.cacheReadTokens - before.billed.cacheReadTokens;
  if (cacheWrite > 0) tokensUsed.inc({ kind: 'cache_creation_input' }, cacheWrite);
  if (cacheRead > 0) tokensUsed.inc({ kind: 'cache_read_input' }, cacheRead);
  const was = before.billed.cost;
  const now = after.billed.cost;
  if (was === null || now === null) return;
  const tenant = after.tenant;
  const kinds = {
    input: now.inputUsd - was.inputUsd,
    output: now.outputUsd - was.outputUsd,
    cache_write_5m: now.cacheWrite5mUsd - was.cacheWrite5mUsd,
    cache_write_1h: now.cacheWrite1hUsd - was.cacheWrite1hUsd,
    cache_read: now.cacheReadUsd - was.cacheReadUsd,
    web_search: webSearchUsdOf(now) - webSearchUsdOf(was),
  };
  for (const [kind, usd] of Object.entries(kinds)) if (usd > 0) costUsd.inc({ tenant, kind }, usd);
  const saving = costSplitOf(now).savingUsd - costSplitOf(was).savingUsd;
  if (saving > 0) costSavingUsd.inc({ tenant }, saving);
}

/** Keeps the jobs-by-status and queue-depth gauges current, across every tenant. */
export function startJobGauges(db: Db, onError: (error: unknown) => void): { stop(): void } {
  const refresh = async () => {
    try {
      const rows = await db
        .selectFrom('jobs')
        .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('status')
        .execute();
      jobsByStatus.reset();
      let waiting = 0;
      for (const row of rows) {
        jobsByStatus.set({ status: row.status }, Number(row.n));
        if (row.status === 'pending' || row.status === 'queued') waiting += Number(row.n);
      }
      queueDepth.set(waiting);
    } catch (error) {
      onError(error);
    }
  };
  void refresh();
  const timer = setInterval(() => void refresh(), GAUGE_REFRESH_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
