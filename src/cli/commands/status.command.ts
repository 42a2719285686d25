import type { Command } from 'commander';
import { ApiClient } from '../api-client.js';
import { apiAction, formatCounts, printJson } from '../cli-output.js';
import type { WireJob } from '../job-watch.js';

export function registerStatusCommand(program: Command) {
  program
    .command('status')
    .description('show a job: status, progress, batches and latest errors')
    .argument('<id>', 'the job id')
    .option('--json', 'print the job as JSON')
    .action(
      apiAction(async (id: string, options: { json?: boolean }) => {
        const job = await ApiClient.fromEnv().json<WireJob>(
          'GET',
          `/v1/jobs/${encodeURIComponent(id)}`,
        );
        if (options.json) printJson(job);
        else console.log(formatJob(job));
      }),
    );
}

function formatJob(job: WireJob): string {
  const p = job.progress;
  const lines = [
    `${job.id}  ${job.status}${job.step ? ` (${job.step})` : ''}  priority ${job.priority}`,
    `  requests  ${job.totalRequests} (${job.uniqueRequests} unique, ${job.deduplicatedRequests} deduplicated)`,
    `  progress  ${p.percentComplete}%: ${formatCounts({ completed: p.completed, failed: p.failed, cancelled: p.cancelled, expired: p.expired, processing: p.processing, pending: p.pending })}`,
    `  created   ${job.createdAt}`,
  ];
  if (job.startedAt) lines.push(`  started   ${job.startedAt}`);
  if (job.completedAt) lines.push(`  ended     ${job.completedAt}`);
  if (job.failureReason) lines.push(`  reason    ${job.failureReason}`);
  if (job.tags.length > 0) lines.push(`  tags      ${job.tags.join(', ')}`);
  for (const batch of job.batches) {
    lines.push(
      `  batch     ${batch.batchId ?? '(not created yet)'}  ${batch.status}  ${batch.requestCount} requests`,
    );
  }
  lines.push(
    `  usage     ${job.usage.inputTokens} input + ${job.usage.outputTokens} output tokens, $${job.usage.costUsd.toFixed(4)}`,
  );
  for (const error of job.errors) {
    lines.push(
      `  error     ${error.customId}: ${error.type ?? 'error'}${error.message ? ` ${error.message}` : ''}`,
    );
  }
  return lines.join('\n');
}
