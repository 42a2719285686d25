import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { ApiClient } from '../api-client.js';
import { apiAction, printJson } from '../cli-output.js';
import { exitCodeOf, summaryLine, watchJob } from '../job-watch.js';

interface SubmitOptions {
  priority?: string;
  tag: string[];
  callback?: string;
  timeoutMs?: string;
  deduplicate: boolean;
  idempotencyKey?: string;
  wait?: boolean;
  json?: boolean;
}

interface JobSummary {
  id: string;
  status: string;
  priority: number;
  totalRequests: number;
  uniqueRequests: number;
  deduplicatedRequests: number;
}

export function registerSubmitCommand(program: Command) {
  program
    .command('submit')
    .description(
      'submit a job: a JSONL file of {custom_id, params} requests, one a line ("-" reads stdin)',
    )
    .argument('<file>', 'the requests, one JSON object a line')
    .option('--priority <priority>', 'CRITICAL, HIGH, NORMAL, LOW, BACKGROUND or 1..5')
    .option('--tag <tag>', 'a tag for the job (repeatable)', collect, [])
    .option('--callback <url>', 'a URL to POST the result to when the job ends')
    .addOption(
      new Option('--timeout-ms <ms>', 'the job deadline in milliseconds').argParser(digits),
    )
    .option('--no-deduplicate', 'send requests even if the same ones were sent recently')
    .option('--idempotency-key <key>', 'submitting again with the same key returns the same job')
    .option('--wait', 'follow the job with a progress bar until it ends')
    .option('--json', 'print the job as JSON')
    .action(
      apiAction(async (file: string, options: SubmitOptions, command: Command) => {
        if (file !== '-') {
          await access(file).catch(() => command.error(`cannot read ${file}`, { exitCode: 2 }));
        }
        const input = file === '-' ? process.stdin : createReadStream(file);
        const client = ApiClient.fromEnv();
        const response = await client.request('POST', '/v1/jobs', {
          headers: {
            'content-type': 'application/x-ndjson',
            ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}),
          },
          query: {
            priority: options.priority,
            tags: options.tag.length > 0 ? options.tag : undefined,
            callbackUrl: options.callback,
            timeoutMs: options.timeoutMs,
            deduplicate: options.deduplicate ? undefined : false,
          },
          // Streamed as read: a large file is never held in memory.
          body: Readable.toWeb(input) as ReadableStream<Uint8Array>,
        });
        const job = (await response.json()) as JobSummary;
        if (!options.wait) {
          if (options.json) printJson(job);
          else console.log(createdLine(job, response.status === 200));
          return;
        }
        if (!options.json) console.error(createdLine(job, response.status === 200));
        const ended = await watchJob(client, job.id, { bar: !options.json });
        if (options.json) printJson(ended);
        else console.log(summaryLine(ended));
        process.exitCode = exitCodeOf(ended);
      }),
    );
}

function createdLine(job: JobSummary, existing: boolean): string {
  const deduplicated =
    job.deduplicatedRequests > 0 ? `, ${job.deduplicatedRequests} deduplicated` : '';
  const verb = existing ? 'already submitted as' : 'submitted';
  return `${verb} ${job.id}: ${job.totalRequests} requests${deduplicated}, priority ${job.priority}, ${job.status}`;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function digits(value: string): string {
  if (!/^\d+$/.test(value))
    throw new InvalidArgumentError('must be a whole number of milliseconds');
  return value;
}
