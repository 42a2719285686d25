import { type Command, InvalidArgumentError } from 'commander';
import type { Config } from '../../config.js';
import { systemClock } from '../../domain/clock.js';
import type { BatchApi } from '../../machines/batch-api.port.js';
import type { ReconcileReport } from '../../machines/reconcile-orphans.js';
import { EXIT } from '../api-client.js';
import { CliError } from '../cli-error.js';

interface ReconcileCommandOptions {
  cancelOrphans?: boolean;
  minAgeMs: number;
  json?: boolean;
}

export function registerReconcileCommand(program: Command) {
  program
    .command('reconcile')
    .description(
      'find the batches at Anthropic that no job knows; adopt those an unconfirmed submission ' +
        'or a waiting job can be matched to (ANTHROPIC_API_KEY, DATABASE_URL)',
    )
    .option('--cancel-orphans', 'cancel the running orphans that match nothing')
    .option(
      '--min-age-ms <ms>',
      'leave alone batches younger than this: a live instance may be recording them',
      parseMilliseconds,
      600_000,
    )
    .option('--json', 'print the report as JSON')
    .action(async (options: ReconcileCommandOptions) => {
      // Loaded on use: the SDK and the database drivers are heavy to import.
      const { ConfigError, loadConfig } = await import('../../config.js');
      const { AnthropicGateway } = await import('../../anthropic/anthropic-gateway.js');
      const { reconcileOrphans } = await import('../../machines/reconcile-orphans.js');
      const { createDatabase } = await import('../../store/create-database.js');
      const { migrate } = await import('../../store/migrate.js');
      let config: Config;
      try {
        config = loadConfig();
      } catch (error) {
        if (error instanceof ConfigError) throw new CliError(error.message, EXIT.usage);
        throw error;
      }
      if (!config.anthropic.apiKey) {
        throw new CliError(
          'ANTHROPIC_API_KEY is not set: there is no account to reconcile with; set it to the ' +
            'key of the account whose batches you mean',
          EXIT.usage,
        );
      }
      const handle = await createDatabase({
        databaseUrl: config.databaseUrl,
        dataDir: config.dataDir,
      });
      try {
        await migrate(handle.db);
        const gateway = new AnthropicGateway({ ...config.anthropic });
        const report = await reconcileOrphans(
          {
            db: handle.db,
            api: gateway as unknown as BatchApi,
            clock: systemClock,
            instanceId: config.instanceId,
          },
          { cancelOrphans: options.cancelOrphans, minAgeMs: options.minAgeMs },
        );
        console.log(options.json ? JSON.stringify(report) : describe(report));
      } finally {
        await handle.close();
      }
    });
}

function describe(report: ReconcileReport): string {
  const head = `${report.listed} batches at Anthropic, ${report.known} known to jobs, ${report.orphans.length} orphans`;
  return [
    head,
    ...report.orphans.map((o) =>
      [
        o.batchId,
        o.processingStatus,
        `${o.requestCount} requests`,
        o.action,
        o.jobId ? `${o.jobId}${o.batchKey ? `/${o.batchKey}` : ''}` : '-',
        o.reason,
      ].join('  '),
    ),
  ].join('\n');
}

function parseMilliseconds(raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new InvalidArgumentError('--min-age-ms must be a whole number of milliseconds');
  }
  return value;
}
