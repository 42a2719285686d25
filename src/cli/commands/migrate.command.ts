import type { Command } from 'commander';
import { withMigratedDatabase } from '../with-migrated-database.js';

export function registerMigrateCommand(program: Command) {
  program
    .command('migrate')
    .description('apply the database migrations (DATABASE_URL, else the embedded database)')
    .action(async () => {
      const report = await withMigratedDatabase(async (_, migrated) => migrated);
      console.log(
        report.applied.length
          ? `applied ${report.applied.join(', ')}`
          : `up to date (${report.alreadyApplied} migrations)`,
      );
    });
}
