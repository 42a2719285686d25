import type { Command } from 'commander';
import { withMigratedDatabase } from '../with-migrated-database.js';

export function registerProjectionsCommand(program: Command) {
  const projections = program
    .command('projections')
    .description('the read models kept from the event log');
  projections
    .command('rebuild')
    .description('replay the whole log into the job list, batches and stats, and say what differed')
    .option('--check', 'only compare: keep the live tables as they are; exit 1 if they differ')
    .option('--json', 'print the report as JSON')
    .action(async (options: { check?: boolean; json?: boolean }) => {
      const { rebuildProjections } = await import('../../machines/rebuild-projections.js');
      await withMigratedDatabase(async (handle) => {
        const report = await rebuildProjections(handle.db, { check: options.check });
        const differing = Object.entries(report.differences).filter(
          ([, d]) => d.missing + d.extra > 0,
        );
        if (options.json) {
          console.log(JSON.stringify(report));
        } else {
          console.log(
            `${report.applied ? 'rebuilt' : 'checked'} ${report.streams} jobs from ${report.events} events: ` +
              (differing.length === 0
                ? 'the live tables matched the log'
                : differing
                    .map(
                      ([t, d]) =>
                        `${t} had ${d.missing} rows the log does not give, lacked ${d.extra}`,
                    )
                    .join('; ')),
          );
        }
        if (options.check && differing.length > 0) process.exitCode = 1;
      });
    });
}
