import { type Command, InvalidArgumentError } from 'commander';
import { TENANT_PATTERN } from '../../config.js';
import type { TenantLimitOverrides, TenantLimitsRow } from '../../store/jobs/tenant-limits.js';
import { withMigratedDatabase } from '../with-migrated-database.js';

/**
 * A whole number of 0 or more, or "default" to clear the override (kept as the word: commander
 * turns a parser's null into "").
 */
function limitValue(value: string): number | 'default' {
  if (value === 'default') return value;
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('a whole number, or "default"');
  return Number(value);
}

/** A positive amount of USD, or "default" to clear the override. */
function usdValue(value: string): number | 'default' {
  if (value === 'default') return value;
  if (!/^\d+(\.\d+)?$/.test(value) || Number(value) <= 0) {
    throw new InvalidArgumentError('a positive amount of USD, or "default"');
  }
  return Number(value);
}

export function registerTenantsCommand(program: Command) {
  const tenants = program
    .command('tenants')
    .description(
      "a tenant's own limits, overriding BATCHKEEPER_TENANT_* for it (in the database: every " +
        'instance applies them at once); see docs/operations.md',
    );

  tenants
    .command('limits')
    .description('set or clear some of one tenant\'s limits ("default" clears one)')
    .argument('<tenant>', 'the tenant')
    .option('--max-queue-size <n>', 'its pending and queued jobs', limitValue)
    .option('--max-concurrent-jobs <n>', 'slots of each instance its jobs may hold', limitValue)
    .option('--max-requests-in-flight <n>', 'its requests waiting at Anthropic', limitValue)
    .option('--daily-budget-usd <usd>', 'USD its jobs may be billed a UTC day', usdValue)
    .option('--clear', 'remove every override of the tenant')
    .option('--json', 'print the result as JSON')
    .action(
      async (
        tenant: string,
        options: Record<keyof TenantLimitOverrides, number | 'default' | undefined> & {
          clear?: boolean;
          json?: boolean;
        },
        command: Command,
      ) => {
        if (!TENANT_PATTERN.test(tenant)) {
          command.error('error: <tenant> must be 1-64 letters, digits, "_", "." or "-"', {
            exitCode: 2,
          });
        }
        const override = (value: number | 'default' | undefined) =>
          value === 'default' ? null : value;
        const overrides: TenantLimitOverrides = {
          maxQueueSize: override(options.maxQueueSize),
          maxConcurrentJobs: override(options.maxConcurrentJobs),
          maxRequestsInFlight: override(options.maxRequestsInFlight),
          dailyBudgetUsd: override(options.dailyBudgetUsd),
        };
        const given = Object.values(overrides).some((v) => v !== undefined);
        if (Boolean(options.clear) === given) {
          command.error('error: give --clear, or at least one --max-… option', { exitCode: 2 });
        }
        const store = await import('../../store/jobs/tenant-limits.js');
        if (options.clear) {
          const had = await withMigratedDatabase(({ db }) => store.clearTenantLimits(db, tenant));
          console.error(had ? `cleared ${tenant}'s limits` : `${tenant} had no limits of its own`);
          return;
        }
        const row = await withMigratedDatabase(({ db }) =>
          store.setTenantLimits(db, tenant, overrides),
        );
        console.log(options.json ? JSON.stringify(row) : formatLimits([row]));
      },
    );

  tenants
    .command('list')
    .description('the tenants with limits of their own')
    .option('--json', 'one JSON object per line')
    .action(async (options: { json?: boolean }) => {
      const { listTenantLimits } = await import('../../store/jobs/tenant-limits.js');
      const rows = await withMigratedDatabase(({ db }) => listTenantLimits(db));
      if (options.json) {
        for (const row of rows) console.log(JSON.stringify(row));
        return;
      }
      console.log(rows.length === 0 ? 'no tenant has limits of its own' : formatLimits(rows));
    });
}

function formatLimits(rows: TenantLimitsRow[]): string {
  const shown = (n: number | null) => (n === null ? 'default' : String(n));
  const lines = [
    [
      'TENANT',
      'MAX QUEUE SIZE',
      'MAX CONCURRENT JOBS',
      'MAX REQUESTS IN FLIGHT',
      'DAILY BUDGET USD',
    ],
  ];
  for (const r of rows) {
    lines.push([
      r.tenant,
      shown(r.maxQueueSize),
      shown(r.maxConcurrentJobs),
      shown(r.maxRequestsInFlight),
      shown(r.dailyBudgetUsd),
    ]);
  }
  const widths = lines[0]?.map((_, i) => Math.max(...lines.map((l) => l[i]?.length ?? 0))) ?? [];
  return lines
    .map((l) =>
      l
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
