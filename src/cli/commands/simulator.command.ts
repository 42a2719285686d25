import { type Command, InvalidArgumentError } from 'commander';
import { onShutdownSignal } from '../serve/shutdown-signals.js';

interface SimulatorCommandOptions {
  port: number;
  host: string;
  latencyMs: number;
  errorRate: number;
  rateLimitRate: number;
  overloadRate: number;
  serverErrorRate: number;
  seed: number;
  requestsPerMinute?: number;
}

export function registerSimulatorCommand(program: Command) {
  program
    .command('simulator')
    .description(
      'run the Message Batches API simulator alone (accepts any non-empty API key); prints its URL',
    )
    .option(
      '--port <n>',
      'port to listen on, 0 for any free one',
      parseInteger('--port', 0, 65_535),
      0,
    )
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option(
      '--latency-ms <ms>',
      'time a batch takes to process',
      parseInteger('--latency-ms', 0),
      1000,
    )
    .option(
      '--error-rate <f>',
      'fraction of requests whose result is errored (half overloaded_error, half api_error)',
      parseFraction('--error-rate'),
      0,
    )
    .option(
      '--rate-limit-rate <f>',
      'fraction of calls answered 429 rate_limit_error (with retry-after)',
      parseFraction('--rate-limit-rate'),
      0,
    )
    .option(
      '--overload-rate <f>',
      'fraction of calls answered 529 overloaded_error',
      parseFraction('--overload-rate'),
      0,
    )
    .option(
      '--server-error-rate <f>',
      'fraction of calls answered 500 api_error',
      parseFraction('--server-error-rate'),
      0,
    )
    .option(
      '--seed <s>',
      'seed of the fault and errored-result draws',
      parseInteger('--seed', 0),
      1,
    )
    .option(
      '--requests-per-minute <n>',
      'the shared rate limit of the batch endpoints (default: none)',
      parseInteger('--requests-per-minute', 1),
    )
    .action(async (options: SimulatorCommandOptions) => {
      const { startSimulator } = await import('../../anthropic/simulator/index.js');
      const simulator = await startSimulator({
        host: options.host,
        port: options.port,
        latencyMs: options.latencyMs,
        seed: options.seed,
        requestsPerMinute: options.requestsPerMinute,
        faults: {
          rateLimitRate: options.rateLimitRate,
          overloadRate: options.overloadRate,
          serverErrorRate: options.serverErrorRate,
          erroredResultRates: {
            overloaded_error: options.errorRate / 2,
            api_error: options.errorRate / 2,
          },
        },
      });
      // The URL alone on stdout, for scripts; the how-to on stderr, for people.
      console.log(simulator.url);
      console.error(
        `Message Batches simulator listening; point a client at it with\n` +
          `  ANTHROPIC_BASE_URL=${simulator.url} ANTHROPIC_API_KEY=any-key\n` +
          `stats: ${simulator.url}/_simulator/stats`,
      );
      onShutdownSignal(() => simulator.stop());
    });
}

function parseInteger(flag: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (raw: string): number => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`${flag} must be a whole number from ${min} to ${max}`);
    }
    return value;
  };
}

function parseFraction(flag: string) {
  return (raw: string): number => {
    const value = Number(raw);
    if (raw.trim() === '' || !(value >= 0 && value <= 1)) {
      throw new InvalidArgumentError(`${flag} must be a fraction from 0 to 1`);
    }
    return value;
  };
}
