import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createDatabase, type DatabaseHandle } from '../../src/store/create-database.js';
import { isMigrated, loadMigrations, migrate } from '../../src/store/migrate.js';
import { createTestDatabaseUrl, dropTestDatabase, testPostgresUrl } from '../support/database.js';

describe('migrations', () => {
  const handles: DatabaseHandle[] = [];
  const urls: string[] = [];
  afterEach(async () => {
    await Promise.all(handles.splice(0).map((h) => h.close()));
    await Promise.all(urls.splice(0).map(dropTestDatabase));
  });

  it('are numbered, forward-only SQL files in order', async () => {
    const migrations = await loadMigrations();
    expect(migrations.length).toBeGreaterThan(0);
    expect(migrations.map((m) => m.version)).toEqual(
      [...migrations.map((m) => m.version)].sort((a, b) => a - b),
    );
  });

  it('apply once and then report nothing left to do', async () => {
    const handle = await createDatabase({ dataDir: 'memory' });
    handles.push(handle);
    const first = await migrate(handle.db);
    const second = await migrate(handle.db);
    expect(first.applied.length).toBe((await loadMigrations()).length);
    expect(second.applied).toEqual([]);
    expect(await isMigrated(handle.db)).toBe(true);
  });

  it('report not migrated on an empty database', async () => {
    const handle = await createDatabase({ dataDir: 'memory' });
    handles.push(handle);
    expect(await isMigrated(handle.db)).toBe(false);
  });

  it.skipIf(!testPostgresUrl())('run twice at the same moment without error', async () => {
    const server = testPostgresUrl()!;
    // An empty database, not the migrated template: both instances race to migrate it.
    const url = await createTestDatabaseUrl();
    urls.push(url);
    const empty = `${url}_empty`;
    const admin = await createDatabase({
      databaseUrl: new URL('/postgres', server).toString(),
      poolSize: 1,
    });
    await sql.raw(`create database ${new URL(empty).pathname.slice(1)}`).execute(admin.db);
    await admin.close();
    urls.push(empty);
    const a = await createDatabase({ databaseUrl: empty });
    const b = await createDatabase({ databaseUrl: empty });
    handles.push(a, b);
    const [ra, rb] = await Promise.all([migrate(a.db), migrate(b.db)]);
    expect([...ra.applied, ...rb.applied].sort()).toEqual(
      (await loadMigrations()).map((m) => m.name),
    );
    expect(await isMigrated(a.db)).toBe(true);
  });
});
