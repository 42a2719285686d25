import type { Command } from 'commander';
import type { JobStats } from '../../manager/batch-job-manager.js';
import { apiAction, formatCounts, printJson } from '../cli-output.js';
import { formatCostSplit } from '../format-cost.js';

/** What GET /v1/stats answers. */
type Stats = JobStats;

export function registerStatsCommand(program: Command) {
  program
    .command('stats')
    .description('job statistics: totals, jobs by status, queue depth, tokens')
    .option('--json', 'print the statistics as JSON')
    .action(
      apiAction(async (client, options: { json?: boolean }) => {
        const stats = await client.json<Stats>('GET', '/v1/stats');
        if (options.json) return printJson(stats);
        console.log(
          [
            `jobs created       ${stats.totalCreated}`,
            `  ended            ${formatCounts({ completed: stats.totalCompleted, failed: stats.totalFailed, cancelled: stats.totalCancelled, expired: stats.totalExpired })}`,
            `  now              ${formatCounts(stats.byStatus)}`,
            `queue depth        ${stats.queueDepth}`,
            `deduplicated       ${stats.totalDeduplicated} requests`,
            `average job time   ${(stats.averageProcessingTime / 1000).toFixed(1)} s`,
            `tokens             ${stats.inputTokens} input, ${stats.outputTokens} output ($${stats.costUsd.toFixed(4)})`,
            ...(stats.cost ? [`cost               ${formatCostSplit(stats.cost)}`] : []),
          ].join('\n'),
        );
      }),
    );
}
