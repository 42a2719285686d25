import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { sql } from 'kysely';
import { inject } from 'vitest';
import { createDatabase, type DatabaseHandle } from '../../src/store/create-database.js';
import { migrate } from '../../src/store/migrate.js';
import { adminUrl, withDatabase } from './database-urls.js';

/** The Postgres server the tests run on, or undefined when they run on PGlite. */
export function testPostgresUrl(): string | undefined {
  return inject('postgresUrl');
}

/**
 * A fresh, migrated database of its own: a clone of the migrated template on
 * a real Postgres, an in-memory PGlite otherwise. `close()` drops it.
 */
export async function openTestDatabase(
  options: { poolSize?: number } = {},
): Promise<DatabaseHandle> {
  const server = testPostgresUrl();
  if (!server) {
    const templatePath = inject('pgliteTemplatePath');
    const pgliteDump = templatePath ? new Blob([await readFile(templatePath)]) : undefined;
    const handle = await createDatabase({ dataDir: 'memory', pgliteDump });
    await migrate(handle.db);
    return handle;
  }
  const url = await createTestDatabaseUrl();
  const handle = await createDatabase({ databaseUrl: url, poolSize: options.poolSize ?? 20 });
  return {
    ...handle,
    close: async () => {
      await handle.close();
      await dropTestDatabase(url);
    },
  };
}

/** A new database cloned from the migrated template; for child processes that need a URL. */
export async function createTestDatabaseUrl(): Promise<string> {
  const server = testPostgresUrl();
  if (!server) throw new Error('a database URL needs a real Postgres (set DATABASE_URL)');
  const name = `batchkeeper_test_${randomBytes(6).toString('hex')}`;
  const admin = await createDatabase({ databaseUrl: adminUrl(server), poolSize: 1 });
  try {
    await sql
      .raw(`create database ${name} template ${inject('templateDatabase')}`)
      .execute(admin.db);
  } finally {
    await admin.close();
  }
  return withDatabase(server, name);
}

export async function dropTestDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = await createDatabase({ databaseUrl: adminUrl(url), poolSize: 1 });
  try {
    await sql.raw(`drop database if exists ${name} with (force)`).execute(admin.db);
  } finally {
    await admin.close();
  }
}
