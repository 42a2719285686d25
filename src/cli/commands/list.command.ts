import { type Command, InvalidArgumentError, Option } from 'commander';
import { apiAction, formatTable, printJson, priorityLabel } from '../cli-output.js';
import type { WireJob } from '../job-watch.js';
import { relativeTime } from '../time-format.js';

interface ListOptions {
  status?: string;
  priority?: string;
  tag: string[];
  limit?: number;
  offset?: number;
  sortBy?: string;
  order?: string;
  json?: boolean;
}

interface JobPage {
  jobs: WireJob[];
  total: number;
  limit: number;
  offset: number;
}

export function registerListCommand(program: Command) {
  program
    .command('list')
    .description('list jobs, newest first')
    .option('--status <status>', 'only jobs in this status (queued, processing, completed...)')
    .option('--priority <priority>', 'only jobs of this priority or more urgent')
    .option('--tag <tag>', 'only jobs carrying this tag (repeatable: any of them)', collect, [])
    .addOption(new Option('--limit <n>', 'at most this many (1..1000)').argParser(wholeNumber))
    .addOption(new Option('--offset <n>', 'skip this many').argParser(wholeNumber))
    .addOption(
      new Option('--sort-by <field>', 'the order').choices([
        'createdAt',
        'updatedAt',
        'priority',
        'status',
        'completedAt',
        'startedAt',
      ]),
    )
    .addOption(new Option('--order <order>', 'ascending or descending').choices(['asc', 'desc']))
    .option('--json', 'print the page as JSON')
    .action(
      apiAction(async (client, options: ListOptions) => {
        const page = await client.json<JobPage>('GET', '/v1/jobs', {
          query: {
            status: options.status,
            priority: options.priority,
            tags: options.tag.length > 0 ? options.tag : undefined,
            limit: options.limit,
            offset: options.offset,
            sortBy: options.sortBy,
            sortOrder: options.order,
          },
        });
        if (options.json) return printJson(page);
        console.log(formatPage(page));
      }),
    );
}

/** The page as a table; times relative to now (`--json` has them as ISO). */
function formatPage(page: JobPage, now = Date.now()): string {
  const rows = page.jobs.map((job) => [
    job.id,
    job.status,
    priorityLabel(job.priority),
    `${job.progress.percentComplete}%`,
    String(job.totalRequests),
    relativeTime(job.createdAt, now),
    job.tags.join(','),
  ]);
  const table = formatTable([
    ['ID', 'STATUS', 'PRIORITY', 'DONE', 'REQUESTS', 'CREATED', 'TAGS'],
    ...rows,
  ]);
  const shown =
    page.jobs.length === 0 ? 'no jobs' : `${page.offset + 1}-${page.offset + page.jobs.length}`;
  return `${table}\n(${shown} of ${page.total})`;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number');
  return Number(value);
}
