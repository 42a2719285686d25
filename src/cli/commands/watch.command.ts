import type { Command } from 'commander';
import { apiAction, printJson } from '../cli-output.js';
import { exitCodeOf, failuresHint, summaryLine, watchJob } from '../job-watch.js';

interface WatchOptions {
  json?: boolean;
  allowFailures?: boolean;
}

export function registerWatchCommand(program: Command) {
  program
    .command('watch')
    .description(
      'follow a job with a progress bar until it ends (exit 0 when it completed, 5 when it ' +
        'completed with failed requests, 1 when it failed, was cancelled or expired)',
    )
    .argument('<id>', 'the job id')
    .option('--allow-failures', 'exit 0 for a job that completed with failed requests')
    .option('--json', 'no bar; print the job as JSON when it ends')
    .action(
      apiAction(async (client, id: string, options: WatchOptions) => {
        const job = await watchJob(client, id, { bar: !options.json });
        if (options.json) printJson(job);
        else {
          console.log(summaryLine(job));
          const hint = failuresHint(job, options);
          if (hint) console.error(hint);
        }
        process.exitCode = exitCodeOf(job, options);
      }),
    );
}
