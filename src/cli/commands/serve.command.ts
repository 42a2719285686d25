import type { Command } from 'commander';
import type { Config } from '../../config.js';
import type { ServeOptions } from '../serve/run-serve.js';

export function registerServeCommand(program: Command) {
  program
    .command('serve')
    .description('run the HTTP API, the scheduler and the webhook relay in one process')
    .option('--no-api', 'do not serve the HTTP API (worker only)')
    .option('--no-worker', 'do not run the scheduler and webhook relay (API only)')
    .option(
      '--insecure-open',
      'in open auth mode (no API keys, or BATCHKEEPER_AUTH=open), listen on a non-loopback HOST anyway: anyone who can reach it can use it',
    )
    .action(async (options: ServeOptions, command: Command) => {
      if (!options.api && !options.worker) {
        command.error('--no-api and --no-worker together leave nothing to run', { exitCode: 2 });
      }
      // Loaded here, not at the top: every other command would pay for the server's imports.
      const { ConfigError, loadConfig } = await import('../../config.js');
      const { createLogger } = await import('../../observability/logger.js');
      const { serve } = await import('../serve/run-serve.js');
      let config: Config;
      try {
        config = loadConfig();
      } catch (error) {
        if (error instanceof ConfigError) command.error(error.message, { exitCode: 2 });
        throw error;
      }
      const logger = createLogger({
        level: config.logLevel,
        base: { instanceId: config.instanceId },
      });
      const refusal = await serve(config, options, logger);
      if (refusal) command.error(refusal, { exitCode: 2 });
    });
}
