import type { DatabaseHandle } from '../store/create-database.js';
import type { MigrationReport } from '../store/migrate.js';

/**
 * Opens the database the environment names (DATABASE_URL, else the embedded one), migrates it,
 * runs `work` and closes it. The drivers are imported here, on use, so that commands which never
 * touch the database start without loading them.
 */
export async function withMigratedDatabase<T>(
  work: (handle: DatabaseHandle, migrated: MigrationReport) => Promise<T>,
): Promise<T> {
  const { createDatabase, databaseOptionsFromEnv } = await import('../store/create-database.js');
  const { migrate } = await import('../store/migrate.js');
  const handle = await createDatabase(databaseOptionsFromEnv());
  try {
    return await work(handle, await migrate(handle.db));
  } finally {
    await handle.close();
  }
}
