import type { DatabaseHandle } from '../store/create-database.js';
import type { MigrationReport } from '../store/migrate.js';

/**
 * Opens the database the environment names (DATABASE_URL, else the embedded one; through a
 * pooler with BATCHKEEPER_PREPARED_STATEMENTS=off), migrates it,
 * runs `work` and closes it. The drivers are imported here, on use, so that commands which never
 * touch the database start without loading them.
 */
export async function withMigratedDatabase<T>(
  work: (handle: DatabaseHandle, migrated: MigrationReport) => Promise<T>,
): Promise<T> {
  const { createDatabase } = await import('../store/create-database.js');
  const { migrate } = await import('../store/migrate.js');
  const { databaseEnvironment } = await import('../config.js');
  const handle = await createDatabase(databaseEnvironment());
  try {
    return await work(handle, await migrate(handle.db));
  } finally {
    await handle.close();
  }
}
