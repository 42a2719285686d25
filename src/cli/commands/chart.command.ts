import { type Command, Option } from 'commander';
import type { JobChart } from '../../machines/job-chart.js';
import { apiAction, formatTable, printJson } from '../cli-output.js';

interface ChartOptions {
  svg?: boolean;
  mermaid?: boolean;
  format?: 'table' | 'json' | 'svg' | 'mermaid';
  asOf?: string;
  json?: boolean;
}

export function registerChartCommand(program: Command) {
  program
    .command('chart')
    .description('show where a job is in the job machine and the transitions it took')
    .argument('<id>', 'the job id')
    .option(
      '--svg',
      'print the chart drawn as SVG (same as --format svg): chart ID --svg > chart.svg',
    )
    .option('--mermaid', 'print a Mermaid state diagram of the machine with the job’s path marked')
    .addOption(
      new Option(
        '--format <format>',
        'table (default), json (the machine as an XState config), svg or mermaid',
      ).choices(['table', 'json', 'svg', 'mermaid']),
    )
    .option('--as-of <version>', 'the job as it was right after this event of its log')
    .option('--json', 'print the chart as JSON (definition, current state, path)')
    .action(
      apiAction(async (client, id: string, options: ChartOptions) => {
        const format = options.svg ? 'svg' : options.mermaid ? 'mermaid' : options.format;
        const path = `/v1/jobs/${encodeURIComponent(id)}/chart`;
        const query = { asOf: options.asOf };
        if (format === 'svg' || format === 'mermaid') {
          const response = await client.request('GET', path, { query: { ...query, format } });
          const text = await response.text();
          process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
          return;
        }
        if (format === 'json') {
          return printJson(await client.json('GET', path, { query: { ...query, format: 'json' } }));
        }
        const chart = await client.json<JobChart & { jobId: string }>('GET', path, { query });
        if (options.json) return printJson(chart);
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
