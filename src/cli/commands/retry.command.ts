import type { Command } from 'commander';
import { EXIT } from '../api-client.js';
import { CliError } from '../cli-error.js';
import { apiAction, printJson } from '../cli-output.js';

interface RetryCommandOptions {
  types?: string;
  errorTypes?: string;
  customIds?: string;
  override?: string;
  priority?: string;
  tag: string[];
  callback?: string;
  json?: boolean;
}

export function registerRetryCommand(program: Command) {
  program
    .command('retry')
    .description(
      "send an ended job's failed requests again as a new job (what succeeded is kept); read " +
        'both as one with `results ID --merged`',
    )
    .argument('<id>', 'the ended job')
    .option(
      '--types <types>',
      'result types to send again, comma separated (default: errored,expired,canceled)',
    )
    .option('--error-types <types>', 'only errored requests of these error types, comma separated')
    .option('--custom-ids <ids>', 'only these requests, comma separated')
    .option(
      '--override <json>',
      "a JSON merge patch for each request's params, e.g. '{\"max_tokens\":2048}'",
    )
    .option('--priority <priority>', "CRITICAL..BACKGROUND or 1..5 (default: the original's)")
    .option(
      '--tag <tag>',
      "a tag for the new job, repeatable (default: the original's)",
      collect,
      [],
    )
    .option('--callback <url>', "where to POST the new job's result (default: the original's)")
    .option('--json', 'print the new job as JSON')
    .action(
      apiAction(async (client, id: string, options: RetryCommandOptions) => {
        const body = retryBody(options);
        const retried = await client.json<{
          id: string;
          totalRequests: number;
          webhookSecret?: string;
        }>('POST', `/v1/jobs/${encodeURIComponent(id)}/retry`, { json: body });
        if (options.json) return printJson(retried);
        console.log(`${retried.id}: ${retried.totalRequests} requests of ${id} sent again`);
        if (retried.webhookSecret)
          console.log(`webhook secret (shown once): ${retried.webhookSecret}`);
      }),
    );
}

/** The body of POST /v1/jobs/:id/retry from the options; a malformed --override is bad usage. */
export function retryBody(options: RetryCommandOptions): Record<string, unknown> {
  const filter = {
    ...(options.types ? { resultTypes: list(options.types) } : {}),
    ...(options.errorTypes ? { errorTypes: list(options.errorTypes) } : {}),
    ...(options.customIds ? { customIds: list(options.customIds) } : {}),
  };
  return {
    filter,
    ...(options.override !== undefined ? { overrides: parseOverride(options.override) } : {}),
    ...(options.priority !== undefined ? { priority: priorityOf(options.priority) } : {}),
    ...(options.tag.length > 0 ? { tags: options.tag } : {}),
    ...(options.callback !== undefined ? { callbackUrl: options.callback } : {}),
  };
}

function parseOverride(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`--override is not JSON: ${(error as Error).message}`, EXIT.usage);
  }
}

function priorityOf(value: string): string | number {
  return /^\d+$/.test(value) ? Number(value) : value;
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
