import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { takeAdvisoryLock } from './advisory-locks.js';
import type { Db } from './schema/index.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export interface MigrationReport {
  applied: string[];
  alreadyApplied: number;
}

/** Reads `migrations/NNNN_name.sql` in version order. */
export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => ({
      version: Number(file.slice(0, 4)),
      name: file.replace(/\.sql$/, ''),
      sql: await readFile(new URL(file, `file://${dir}`), 'utf8'),
    })),
  );
}

/**
 * Applies every migration not yet applied, in one transaction under an
 * advisory lock: a second instance starting at the same moment waits, then
 * finds the work done, which counts as success.
 */
export async function migrate(db: Db, migrations?: Migration[]): Promise<MigrationReport> {
  const all = migrations ?? (await loadMigrations());
  return db.transaction().execute(async (trx) => {
    await takeAdvisoryLock(trx, 'migrations');
    await sql`create table if not exists schema_migrations (
      version integer primary key,
      name text not null,
      applied_at timestamptz not null default now()
    )`.execute(trx);
    const done = await sql<{ version: number }>`select version from schema_migrations`.execute(trx);
    const doneVersions = new Set(done.rows.map((r) => r.version));
    const applied: string[] = [];
    for (const migration of all) {
      if (doneVersions.has(migration.version)) continue;
      await sql.raw(migration.sql).execute(trx);
      await sql`insert into schema_migrations (version, name) values (${migration.version}, ${migration.name})`.execute(
        trx,
      );
      applied.push(migration.name);
    }
    return { applied, alreadyApplied: doneVersions.size };
  });
}

/** True when every known migration has been applied (readiness). */
export async function isMigrated(db: Db, migrations?: Migration[]): Promise<boolean> {
  const all = migrations ?? (await loadMigrations());
  try {
    const done = await sql<{ version: number }>`select version from schema_migrations`.execute(db);
    const doneVersions = new Set(done.rows.map((r) => r.version));
    return all.every((m) => doneVersions.has(m.version));
  } catch {
    return false;
  }
}
