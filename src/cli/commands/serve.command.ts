import { type Command, InvalidArgumentError, Option } from 'commander';
import type { Config } from '../../config.js';
import type { LogFormat } from '../../observability/logger.js';
import { EXIT } from '../api-client.js';
import { CliError } from '../cli-error.js';
import type { ServeOptions } from '../serve/run-serve.js';

interface ServeCommandOptions extends ServeOptions {
  port?: number;
  host?: string;
}

export function registerServeCommand(program: Command) {
  program
    .command('serve')
    .description(
      'run the HTTP API, the scheduler and the webhook relay in one process; logs go to stdout ' +
        '(LOG_FORMAT: pretty on a terminal, else JSON), the start-up banner to stderr',
    )
    .option('--no-api', 'do not serve the HTTP API (worker only)')
    .option('--no-worker', 'do not run the scheduler and webhook relay (API only)')
    .addOption(
      new Option(
        '--port <n>',
        'the port to listen on, 0 for any free one (default: PORT, else 8080)',
      ).argParser(portNumber),
    )
    .option('--host <host>', 'the interface to listen on (default: HOST, else 127.0.0.1)')
    .option(
      '--insecure-open',
      'in open auth mode (no API keys, or BATCHKEEPER_AUTH=open), listen on a non-loopback HOST anyway: anyone who can reach it can use it',
    )
    .action(async (options: ServeCommandOptions, command: Command) => {
      if (!options.api && !options.worker) {
        command.error('error: --no-api and --no-worker together leave nothing to run', {
          exitCode: 2,
        });
      }
      // Loaded here, not at the top: every other command would pay for the server's imports.
      const { ConfigError, loadConfig } = await import('../../config.js');
      const { createLogger, logFormatFrom } = await import('../../observability/logger.js');
      const { serve } = await import('../serve/run-serve.js');
      let config: Config;
      let format: LogFormat;
      try {
        config = loadConfig();
        format = logFormatFrom(process.env.LOG_FORMAT, process.stdout.isTTY === true);
      } catch (error) {
        if (
          error instanceof ConfigError ||
          (error instanceof Error && error.name === 'LogFormatError')
        ) {
          throw new CliError(error.message, EXIT.usage);
        }
        throw error;
      }
      config = { ...config, port: options.port ?? config.port, host: options.host ?? config.host };
      const logger = createLogger({
        level: config.logLevel,
        base: { instanceId: config.instanceId },
        format,
      });
      const refusal = await serve(config, { ...options, banner: format === 'pretty' }, logger);
      if (refusal) throw new CliError(refusal, EXIT.usage);
    });
}

function portNumber(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) {
    throw new InvalidArgumentError('must be a whole number from 0 to 65535');
  }
  return port;
}
