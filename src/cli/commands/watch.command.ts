import type { Command } from 'commander';
import { ApiClient } from '../api-client.js';
import { apiAction, printJson } from '../cli-output.js';
import { exitCodeOf, summaryLine, watchJob } from '../job-watch.js';

export function registerWatchCommand(program: Command) {
  program
    .command('watch')
    .description(
      'follow a job with a progress bar until it ends (exit 0 when it completed, 1 otherwise)',
    )
    .argument('<id>', 'the job id')
    .option('--json', 'no bar; print the job as JSON when it ends')
    .action(
      apiAction(async (id: string, options: { json?: boolean }) => {
        const job = await watchJob(ApiClient.fromEnv(), id, { bar: !options.json });
        if (options.json) printJson(job);
        else console.log(summaryLine(job));
        process.exitCode = exitCodeOf(job);
      }),
    );
}
