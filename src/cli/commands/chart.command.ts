import type { Command } from 'commander';
import { chartToMermaid, type JobChart } from '../../machines/job-chart.js';
import { apiAction, formatTable, printJson } from '../cli-output.js';

interface ChartOptions {
  mermaid?: boolean;
  json?: boolean;
}

export function registerChartCommand(program: Command) {
  program
    .command('chart')
    .description('show where a job is in the job machine and the transitions it took')
    .argument('<id>', 'the job id')
    .option('--mermaid', 'print a Mermaid state diagram of the machine with the job’s path marked')
    .option('--json', 'print the chart as JSON')
    .action(
      apiAction(async (client, id: string, options: ChartOptions) => {
        const chart = await client.json<JobChart & { jobId: string }>(
          'GET',
          `/v1/jobs/${encodeURIComponent(id)}/chart`,
        );
        if (options.json) return printJson(chart);
        if (options.mermaid) return console.log(chartToMermaid(chart));
        const rows = chart.transitions.map((t) => [
          `v${t.version}`,
          t.event,
          `${t.from} -> ${t.to}`,
        ]);
        console.log(`${chart.jobId} is in ${chart.current.state}\n`);
        console.log(formatTable([['VERSION', 'EVENT', 'TRANSITION'], ...rows]));
      }),
    );
}
