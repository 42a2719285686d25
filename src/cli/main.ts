import { Command, type CommanderError, Option } from 'commander';
import { DEFAULT_SERVER_URL, EXIT } from './api-client.js';
import { isBrokenPipe, reportError } from './cli-error.js';
import { registerAuditCommand } from './commands/audit.command.js';
import { registerBudgetCommand } from './commands/budget.command.js';
import { registerCancelCommand } from './commands/cancel.command.js';
import { registerChartCommand } from './commands/chart.command.js';
import { registerDeleteCommand } from './commands/delete.command.js';
import { registerEventsCommand } from './commands/events.command.js';
import { registerKeysCommand } from './commands/keys.command.js';
import { registerListCommand } from './commands/list.command.js';
import { registerMigrateCommand } from './commands/migrate.command.js';
import { registerPauseCommand } from './commands/pause.command.js';
import { registerProjectionsCommand } from './commands/projections.command.js';
import { registerReconcileCommand } from './commands/reconcile.command.js';
import { registerResultsCommand } from './commands/results.command.js';
import { registerResumeCommand } from './commands/resume.command.js';
import { registerRetryCommand } from './commands/retry.command.js';
import { registerServeCommand } from './commands/serve.command.js';
import { registerSimulatorCommand } from './commands/simulator.command.js';
import { registerStatsCommand } from './commands/stats.command.js';
import { registerStatusCommand } from './commands/status.command.js';
import { registerSubmitCommand } from './commands/submit.command.js';
import { registerTenantsCommand } from './commands/tenants.command.js';
import { registerWatchCommand } from './commands/watch.command.js';
import { registerWebhooksCommand } from './commands/webhooks.command.js';
import { packageVersion } from './package-version.js';

// `… | head`: the reader has gone; there is nobody left to tell, and nothing failed.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    process.exit(isBrokenPipe(error) ? EXIT.ok : reportError(error));
  });
}

const HELP_AFTER = `
Environment:
  BATCHKEEPER_URL      the server the job commands talk to (default: ${DEFAULT_SERVER_URL}); --url
  BATCHKEEPER_API_KEY  the API key they send; --api-key (unset: an open server)
  serve, simulator, migrate, projections, keys and reconcile open the database instead:
  DATABASE_URL (unset: embedded PGlite in BATCHKEEPER_DATA_DIR, default ./.data), PORT, HOST,
  ANTHROPIC_API_KEY (unset: the built-in simulator), LOG_LEVEL, LOG_FORMAT (pretty|json)

Exit codes:
  0  done (watch, submit --wait: the job completed, every request succeeded)
  1  failed: no answer, a server error, or a watched job that failed, was cancelled or expired
  2  bad usage or invalid input (400, 413), a file that cannot be read or written
  3  not found
  4  refused: the job's state forbids it (409), queue full (429), key refused (401/403), a held
     database or port
  5  the watched job completed with failed requests (--allow-failures makes it 0)

Docs: docs/cli.md, docs/http.md, docs/webhooks.md`;

/** Exit codes: see HELP_AFTER (and docs/cli.md). */
const program = new Command('batchkeeper')
  .description('A durable job manager for the Claude Message Batches API')
  .version(packageVersion(), '-V, --version', 'print the version')
  .addOption(
    new Option('--url <url>', `the batchkeeper server (default: ${DEFAULT_SERVER_URL})`).env(
      'BATCHKEEPER_URL',
    ),
  )
  .addOption(
    new Option('--api-key <key>', 'the API key to send (prefer the variable: argv is visible)').env(
      'BATCHKEEPER_API_KEY',
    ),
  )
  .addHelpText('after', HELP_AFTER);

registerMigrateCommand(program);
registerProjectionsCommand(program);
registerAuditCommand(program);
registerReconcileCommand(program);
registerKeysCommand(program);
registerTenantsCommand(program);
registerServeCommand(program);
registerSimulatorCommand(program);
// The commands that talk to a running server (--url/BATCHKEEPER_URL, --api-key/BATCHKEEPER_API_KEY).
registerSubmitCommand(program);
registerStatusCommand(program);
registerWatchCommand(program);
registerResultsCommand(program);
registerRetryCommand(program);
registerCancelCommand(program);
registerPauseCommand(program);
registerResumeCommand(program);
registerBudgetCommand(program);
registerDeleteCommand(program);
registerListCommand(program);
registerStatsCommand(program);
registerEventsCommand(program);
registerChartCommand(program);
registerWebhooksCommand(program);

for (const command of [program, ...allSubcommands(program)]) {
  command.exitOverride((error) => exitForUsage(error, command));
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exit(reportError(error));
}

/**
 * Commander has printed `error: …` (an unknown command comes with its `(Did you mean …?)`): add
 * where to read more, then exit 2. Help and --version are not errors.
 */
function exitForUsage(error: CommanderError, command: Command): never {
  if (error.exitCode === 0 || error.code === 'commander.helpDisplayed') process.exit(EXIT.ok);
  const suggested = error.message.includes('Did you mean');
  if (!suggested) {
    const name = command === program ? 'batchkeeper' : `batchkeeper ${commandPath(command)}`;
    process.stderr.write(`(see ${name} --help)\n`);
  }
  process.exit(EXIT.usage);
}

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c && c !== program; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

function allSubcommands(command: Command): Command[] {
  return command.commands.flatMap((c) => [c, ...allSubcommands(c)]);
}
