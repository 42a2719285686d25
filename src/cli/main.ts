import { Command } from 'commander';
import { registerKeysCommand } from './commands/keys.command.js';
import { registerMigrateCommand } from './commands/migrate.command.js';
import { registerProjectionsCommand } from './commands/projections.command.js';
import { registerServeCommand } from './commands/serve.command.js';
import { registerSimulatorCommand } from './commands/simulator.command.js';

/** Exit codes: 0 done, 1 failed, 2 bad usage, 3 not found, 4 refused (conflict). */
const program = new Command('batchkeeper')
  .description('A durable job manager for the Claude Message Batches API')
  .showHelpAfterError()
  .exitOverride((error) => {
    process.exit(error.exitCode === 0 ? 0 : 2);
  });

registerMigrateCommand(program);
registerProjectionsCommand(program);
registerKeysCommand(program);
registerServeCommand(program);
registerSimulatorCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
