import type { Command } from 'commander';
import { EXIT } from '../api-client.js';
import { CliError } from '../cli-error.js';
import { apiAction, printJson } from '../cli-output.js';
import { formatCap } from '../format-budget.js';

/** What PATCH /v1/jobs/{id} answers. */
interface BudgetChangeAnswer {
  id: string;
  maxCostUsd: number | null;
  previousStatus: string;
  status: string;
}

export function registerBudgetCommand(program: Command) {
  program
    .command('budget')
    .description(
      "change a job's cap (maxCostUsd, USD at batch prices) or remove it with `none`; raising " +
        'or removing it resumes a job paused for its cap',
    )
    .argument('<id>', 'the job id')
    .argument('<usd>', 'the new cap in USD, or "none" for no cap')
    .option('--json', 'print the answer as JSON')
    .action(
      apiAction(async (client, id: string, usd: string, options: { json?: boolean }) => {
        const maxCostUsd =
          usd.trim().toLowerCase() === 'none' ? null : positiveUsd('USD', usd, ' or "none"');
        const answer = await client.json<BudgetChangeAnswer>(
          'PATCH',
          `/v1/jobs/${encodeURIComponent(id)}`,
          { json: { maxCostUsd } },
        );
        if (options.json) printJson(answer);
        else console.log(describeChange(answer));
      }),
    );
}

/**
 * A positive amount of USD as typed (`5`, `0.25`, `1e3`); anything else is bad usage, said before
 * any request is sent: `--max-cost-usd: must be a positive number (got "x")`.
 */
export function positiveUsd(what: string, text: string, orElse = ''): number {
  const usd = /^\s*(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?\s*$/i.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(usd) || usd <= 0) {
    throw new CliError(`${what}: must be a positive number${orElse} (got "${text}")`, EXIT.usage);
  }
  return usd;
}

/** `job_…: budget $5.00 (was paused, now processing)`, `job_…: no budget (processing)`. */
function describeChange(answer: BudgetChangeAnswer): string {
  const cap = answer.maxCostUsd === null ? 'no budget' : `budget ${formatCap(answer.maxCostUsd)}`;
  const status =
    answer.status === answer.previousStatus
      ? answer.status === 'paused'
        ? `still paused; batchkeeper status ${answer.id} says why`
        : answer.status
      : `was ${answer.previousStatus}, now ${answer.status}`;
  return `${answer.id}: ${cap} (${status})`;
}
