import type { Command } from 'commander';
import { createDatabase, databaseOptionsFromEnv } from '../../store/create-database.js';
import { migrate } from '../../store/migrate.js';

export function registerMigrateCommand(program: Command) {
  program
    .command('migrate')
    .description('apply the database migrations (DATABASE_URL, else the embedded database)')
    .action(async () => {
      const handle = await createDatabase(databaseOptionsFromEnv());
      try {
        const report = await migrate(handle.db);
        console.log(
          report.applied.length
            ? `applied ${report.applied.join(', ')}`
            : `up to date (${report.alreadyApplied} migrations)`,
        );
      } finally {
        await handle.close();
      }
    });
}
