import { Command } from 'commander';
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
import { registerServeCommand } from './commands/serve.command.js';
import { registerSimulatorCommand } from './commands/simulator.command.js';
import { registerStatsCommand } from './commands/stats.command.js';
import { registerStatusCommand } from './commands/status.command.js';
import { registerSubmitCommand } from './commands/submit.command.js';
import { registerWatchCommand } from './commands/watch.command.js';

/** Exit codes: 0 done, 1 failed, 2 bad usage, 3 not found, 4 refused (conflict, a held data folder). */
const program = new Command('batchkeeper')
  .description('A durable job manager for the Claude Message Batches API')
  .showHelpAfterError()
  .exitOverride((error) => {
    process.exit(error.exitCode === 0 ? 0 : 2);
  });

registerMigrateCommand(program);
registerProjectionsCommand(program);
registerReconcileCommand(program);
registerKeysCommand(program);
registerServeCommand(program);
registerSimulatorCommand(program);
// The commands that talk to a running server (BATCHKEEPER_URL, BATCHKEEPER_API_KEY).
registerSubmitCommand(program);
registerStatusCommand(program);
registerWatchCommand(program);
registerResultsCommand(program);
registerCancelCommand(program);
registerPauseCommand(program);
registerResumeCommand(program);
registerDeleteCommand(program);
registerListCommand(program);
registerStatsCommand(program);
registerEventsCommand(program);
registerChartCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // A database command on an embedded folder another process holds: refused, not failed.
  if (error instanceof Error && error.name === 'DataDirLockedError') {
    console.error(`error: ${error.message}`);
    process.exit(4);
  }
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
