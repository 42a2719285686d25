import type { Command } from 'commander';
import { ApiClient } from './api-client.js';
import { apiAction, printJson } from './cli-output.js';

interface TransitionAnswer {
  id: string;
  previousStatus: string;
  status?: string;
  cancelled?: boolean;
  deleted?: boolean;
}

/**
 * Registers a command that changes one job over HTTP (`cancel`, `pause`, `resume`, `delete`) and
 * prints what changed: exit 3 for a job that is not there, 4 when its state forbids the change.
 */
export function registerJobTransition(
  program: Command,
  spec: {
    name: string;
    description: string;
    method: 'POST' | 'DELETE';
    path: (id: string) => string;
  },
) {
  program
    .command(spec.name)
    .description(spec.description)
    .argument('<id>', 'the job id')
    .option('--json', 'print the answer as JSON')
    .action(
      apiAction(async (id: string, options: { json?: boolean }) => {
        const answer = await ApiClient.fromEnv().json<TransitionAnswer>(
          spec.method,
          spec.path(encodeURIComponent(id)),
        );
        if (options.json) printJson(answer);
        else console.log(describe(answer));
      }),
    );
}

function describe(answer: TransitionAnswer): string {
  if (answer.deleted) return `${answer.id}: deleted (was ${answer.previousStatus})`;
  const pending = answer.cancelled === false ? ' (cancelling the batches at Anthropic)' : '';
  return `${answer.id}: ${answer.previousStatus} -> ${answer.status}${pending}`;
}
