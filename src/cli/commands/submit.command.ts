import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { readLines } from '../../support/read-lines.js';
import { type ApiClient, EXIT } from '../api-client.js';
import { CliError, cannotRead } from '../cli-error.js';
import { apiAction, printJson, priorityLabel } from '../cli-output.js';
import { formatCap } from '../format-budget.js';
import { exitCodeOf, failuresHint, summaryLine, watchJob } from '../job-watch.js';
import { positiveUsd } from './budget.command.js';

interface SubmitOptions {
  priority?: string;
  tag: string[];
  callback?: string;
  timeoutMs?: string;
  deduplicate: boolean;
  idempotencyKey?: string;
  wait?: boolean;
  allowFailures?: boolean;
  estimate?: boolean;
  maxCostUsd?: string;
  overBudget?: string;
  cachePriming?: string;
  json?: boolean;
}

/** The budget and priming options as the API names them; each checked before anything is sent. */
interface JobBudgetOptions {
  maxCostUsd?: number;
  overBudget?: 'pause' | 'error';
  cachePriming?: 'auto' | 'off';
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
    .option(
      '--wait',
      'follow the job with a progress bar until it ends; exit 0 when it completed, 5 when it ' +
        'completed with failed requests, 1 when it failed, was cancelled or expired',
    )
    .option('--allow-failures', 'with --wait: exit 0 for a job that completed with failed requests')
    .option(
      '--estimate',
      'create nothing: print what the job would cost (POST /v1/jobs/estimate; the file is read whole)',
    )
    .option(
      '--max-cost-usd <usd>',
      'the most the job may be billed, USD at batch prices (change it later: batchkeeper budget)',
    )
    .option(
      '--over-budget <pause|error>',
      'what does not fit the budget does: wait, the job paused (default), or end as errored',
    )
    .option(
      '--cache-priming <auto|off>',
      'auto: send one request per shared cached prefix first, the rest once it ended (one more batch turnaround)',
    )
    .option('--json', 'print the job as JSON')
    .action(
      apiAction(async (client, file: string, options: SubmitOptions) => {
        const budget = budgetOptions(options);
        const input = file === '-' ? process.stdin : await readable(file);
        if (options.estimate) return printEstimate(client, input, options, budget);
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
            maxCostUsd: budget.maxCostUsd,
            overBudget: budget.overBudget,
            cachePriming: budget.cachePriming,
          },
          // Streamed as read: a large file is never held in memory.
          body: Readable.toWeb(input) as ReadableStream<Uint8Array>,
        });
        const job = (await response.json()) as JobSummary;
        if (!options.wait) {
          if (options.json) printJson(job);
          else console.log(createdLine(job, response.status === 200, budget));
          return;
        }
        if (!options.json) console.error(createdLine(job, response.status === 200, budget));
        const ended = await watchJob(client, job.id, { bar: !options.json });
        if (options.json) printJson(ended);
        else {
          console.log(summaryLine(ended));
          const hint = failuresHint(ended, options);
          if (hint) console.error(hint);
        }
        process.exitCode = exitCodeOf(ended, options);
      }),
    );
}

function createdLine(job: JobSummary, existing: boolean, budget: JobBudgetOptions): string {
  const deduplicated =
    job.deduplicatedRequests > 0 ? `, ${job.deduplicatedRequests} deduplicated` : '';
  const verb = existing ? 'already submitted as' : 'submitted';
  // The job an Idempotency-Key found keeps its own cap, whatever this command asked.
  const cap =
    !existing && budget.maxCostUsd !== undefined ? `, budget ${formatCap(budget.maxCostUsd)}` : '';
  return `${verb} ${job.id}: ${job.totalRequests} requests${deduplicated}, priority ${priorityLabel(job.priority)}, ${job.status}${cap}`;
}

/** The file as a stream, opened first so that a missing or unreadable one is said plainly. */
async function readable(file: string): Promise<Readable> {
  const handle = await open(file, 'r').catch((error: unknown) => {
    throw cannotRead(file, error);
  });
  if ((await handle.stat()).isDirectory()) {
    await handle.close();
    throw cannotRead(file, Object.assign(new Error('is a directory'), { code: 'EISDIR' }));
  }
  return handle.createReadStream();
}

function budgetOptions(options: SubmitOptions): JobBudgetOptions {
  return {
    ...(options.maxCostUsd !== undefined
      ? { maxCostUsd: positiveUsd('--max-cost-usd', options.maxCostUsd) }
      : {}),
    ...(options.overBudget !== undefined
      ? { overBudget: oneOf('--over-budget', options.overBudget, ['pause', 'error'] as const) }
      : {}),
    ...(options.cachePriming !== undefined
      ? { cachePriming: oneOf('--cache-priming', options.cachePriming, ['auto', 'off'] as const) }
      : {}),
  };
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new CliError(`${flag}: must be ${allowed.join(' or ')} (got "${value}")`, EXIT.usage);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function digits(value: string): string {
  if (!/^\d+$/.test(value))
    throw new InvalidArgumentError('must be a whole number of milliseconds');
  return value;
}

interface JobEstimateBody {
  requests: number;
  countedRequests: number;
  sampled: boolean;
  inputTokens: number;
  inputTokensRange: { min: number; max: number };
  maxOutputTokens: number;
  minUsd: number | null;
  maxUsd: number | null;
  unpricedModels: string[];
}

/** `submit --estimate`: the file's requests and the options as one JSON body; nothing is created. */
async function printEstimate(
  client: ApiClient,
  input: Readable,
  options: SubmitOptions,
  budget: JobBudgetOptions,
) {
  const requests: unknown[] = [];
  for await (const { text, number } of readLines(input)) {
    if (text.trim() === '') continue;
    try {
      requests.push(JSON.parse(text));
    } catch {
      throw new CliError(`line ${number}: not valid JSON`, EXIT.usage);
    }
  }
  const body = {
    requests,
    ...(options.priority ? { priority: options.priority } : {}),
    ...(options.deduplicate ? {} : { deduplicate: false }),
    ...budget,
  };
  const estimate = await client.json<JobEstimateBody>('POST', '/v1/jobs/estimate', {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (options.json) return printJson(estimate);
  const usd = (value: number | null) => (value === null ? 'unknown' : `$${value.toFixed(4)}`);
  const range = estimate.inputTokensRange;
  console.log(
    [
      `requests   ${estimate.requests} to send, ${estimate.countedRequests} counted${estimate.sampled ? ' (a sample: the rest extrapolated)' : ''}`,
      `input      ${estimate.inputTokens} tokens${estimate.sampled ? ` (between ${range.min} and ${range.max})` : ''}`,
      `output     at most ${estimate.maxOutputTokens} tokens (the sum of max_tokens)`,
      `cost       ${usd(estimate.minUsd)} to ${usd(estimate.maxUsd)} at batch prices`,
      ...(estimate.unpricedModels.length > 0
        ? [`unpriced   ${estimate.unpricedModels.join(', ')} (no price in the table)`]
        : []),
    ].join('\n'),
  );
}
