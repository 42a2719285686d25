import type { Command } from 'commander';
import type { ApiClient } from './api-client.js';
import { apiAction, plural, printJson } from './cli-output.js';
import type { WireJob } from './job-watch.js';

/** What the cancel, pause, resume and delete routes answer. */
export interface TransitionAnswer {
  id: string;
  previousStatus: string;
  status?: string;
  /** Cancel only: false while batches at Anthropic are still being cancelled. */
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
    /** What to print for the answer (default: `job_…: processing -> paused`). */
    describe?: (answer: TransitionAnswer, client: ApiClient) => Promise<string>;
  },
) {
  program
    .command(spec.name)
    .description(spec.description)
    .argument('<id>', 'the job id')
    .option('--json', 'print the answer as JSON')
    .action(
      apiAction(async (client, id: string, options: { json?: boolean }) => {
        const answer = await client.json<TransitionAnswer>(
          spec.method,
          spec.path(encodeURIComponent(id)),
        );
        if (options.json) printJson(answer);
        else console.log(await (spec.describe ?? describeTransition)(answer, client));
      }),
    );
}

async function describeTransition(answer: TransitionAnswer): Promise<string> {
  if (answer.deleted) {
    return `deleted ${answer.id} (was ${answer.previousStatus}); its audit log stays: batchkeeper events ${answer.id}`;
  }
  return `${answer.id}: ${answer.previousStatus} -> ${answer.status}`;
}

/**
 * What a cancel does, from the server's answer and the job as it is now: which batches at
 * Anthropic are being cancelled, and that the results collected are kept.
 * `cancelling job_…: its 2 open batches at Anthropic will be cancelled; the 0 results collected so far are kept`
 */
export async function describeCancel(answer: TransitionAnswer, client: ApiClient): Promise<string> {
  const job = await client
    .json<WireJob>('GET', `/v1/jobs/${encodeURIComponent(answer.id)}`)
    .catch(() => undefined);
  const p = job?.progress;
  const collected = p ? p.completed + p.failed + p.cancelled + p.expired : undefined;
  const kept =
    collected === undefined
      ? 'the results collected are kept'
      : collected === 0
        ? 'no result had been collected yet'
        : `the ${plural(collected, 'result')} collected are kept`;
  if (answer.cancelled === false) {
    const open = job?.batches.filter((b) => b.status === 'submitted' || b.status === 'intended');
    const batches =
      open === undefined || open.length === 0
        ? 'its batches at Anthropic are being wound up'
        : `its ${plural(open.length, 'open batch', 'open batches')} at Anthropic will be cancelled`;
    return (
      `cancelling ${answer.id}: ${batches} (what Anthropic finished before is still collected); ` +
      `${kept}. Follow it with: batchkeeper watch ${answer.id}`
    );
  }
  const unsent =
    answer.previousStatus === 'pending' || answer.previousStatus === 'queued'
      ? 'nothing had been sent to Anthropic'
      : 'no batch was open at Anthropic';
  return `cancelled ${answer.id} (was ${answer.previousStatus}): ${unsent}; ${kept}`;
}
