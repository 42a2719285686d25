import type { Command } from 'commander';
import type { CachePrimingView } from '../../domain/cache-priming.js';
import type { CacheReport } from '../../domain/cache-report.js';
import type { JobBudgetView } from '../../machines/job-views.js';
import { apiAction, formatCounts, printJson, priorityLabel } from '../cli-output.js';
import { formatBudget, formatCachePriming } from '../format-budget.js';
import { formatCacheReport } from '../format-cache.js';
import { formatCacheTokens, formatCostSplit } from '../format-cost.js';
import { failuresNote, type WireJob } from '../job-watch.js';
import { relativeTime } from '../time-format.js';

export function registerStatusCommand(program: Command) {
  program
    .command('status')
    .description('show a job: status, progress, batches and latest errors')
    .argument('<id>', 'the job id')
    .option('--json', 'print the job as JSON')
    .action(
      apiAction(async (client, id: string, options: { json?: boolean }) => {
        const job = await client.json<CachedWireJob>('GET', `/v1/jobs/${encodeURIComponent(id)}`);
        if (options.json) printJson(job);
        else console.log(formatJob(job));
      }),
    );
}

/** `cache`, `cachePriming`: absent from servers older than issue 21; `budget`, older than issue 20's daily budget. */
type CachedWireJob = WireJob & {
  cache?: CacheReport;
  budget?: JobBudgetView;
  cachePriming?: CachePrimingView;
};

/** `processing (waiting)`, `processing (waiting, cancelling)`, `completed with 2 of 9 requests failed`. */
function statusOf(job: WireJob): string {
  const cancelling = job.cancelRequested && !job.completedAt ? ['cancelling'] : [];
  const inner = [...(job.step ? [job.step] : []), ...cancelling];
  const note = failuresNote(job);
  return `${job.status}${inner.length > 0 ? ` (${inner.join(', ')})` : ''}${note ? ` ${note}` : ''}`;
}

/** A time as `3 minutes ago (2030-01-01T09:00:00.000Z)`. */
function when(at: string, now: number): string {
  return `${relativeTime(at, now)} (${at})`;
}

function formatJob(job: CachedWireJob, now = Date.now()): string {
  const p = job.progress;
  const lines = [
    `${job.id}  ${statusOf(job)}  priority ${priorityLabel(job.priority)}`,
    `  requests  ${job.totalRequests} (${job.uniqueRequests} unique, ${job.deduplicatedRequests} deduplicated)`,
    `  progress  ${p.percentComplete}%: ${formatCounts({ completed: p.completed, failed: p.failed, cancelled: p.cancelled, expired: p.expired, processing: p.processing, pending: p.pending })}`,
    `  created   ${when(job.createdAt, now)}`,
  ];
  if (job.startedAt) lines.push(`  started   ${when(job.startedAt, now)}`);
  if (job.completedAt) lines.push(`  ended     ${when(job.completedAt, now)}`);
  if (job.failureReason) lines.push(`  reason    ${job.failureReason}`);
  if (job.tags.length > 0) lines.push(`  tags      ${job.tags.join(', ')}`);
  for (const batch of job.batches) {
    lines.push(
      `  batch     ${batch.batchId ?? '(not created yet)'}  ${batch.status}  ${batch.requestCount} requests`,
    );
  }
  lines.push(
    `  usage     ${job.usage.inputTokens} input + ${job.usage.outputTokens} output tokens, ${job.usage.costUsd === null ? 'cost unknown (a model without a price)' : `$${job.usage.costUsd.toFixed(4)}`}`,
  );
  const cacheTokens = formatCacheTokens(job.usage);
  if (cacheTokens !== null) lines.push(`            ${cacheTokens}`);
  if (job.usage.cost) lines.push(`  cost      ${formatCostSplit(job.usage.cost)}`);
  const cache = formatCacheReport(job.cache);
  if (cache !== null) lines.push(`  cache     ${cache}`);
  const budget = formatBudget(job.budget);
  if (budget !== null) lines.push(`  budget    ${budget}`);
  const priming = formatCachePriming(job.cachePriming);
  if (priming !== null) lines.push(`  priming   ${priming}`);
  if (job.finalErrorCount + job.retriedErrorCount > 0) {
    lines.push(
      `  errors    ${job.finalErrorCount} final (the request failed), ${job.retriedErrorCount} retried (sent again)`,
    );
  }
  for (const error of job.errors) {
    lines.push(
      `  ${error.final ? 'failed ' : 'retried'}   ${error.customId}: ${error.type ?? 'error'}${error.message ? ` ${error.message}` : ''}`,
    );
  }
  return lines.join('\n');
}
