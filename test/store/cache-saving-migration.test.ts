import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createDatabase, type DatabaseHandle } from '../../src/store/create-database.js';
import { loadMigrations, migrate } from '../../src/store/migrate.js';
import { insertJobRow } from '../support/job-row.js';

describe('migration 0019 (what the prompt cache saved)', () => {
  const handles: DatabaseHandle[] = [];
  afterEach(async () => {
    await Promise.all(handles.splice(0).map((h) => h.close()));
  });

  it('sets the saving of jobs collected before it as a replay of their log does', async () => {
    const handle = await createDatabase({ dataDir: 'memory' });
    handles.push(handle);
    const { db } = handle;
    const all = await loadMigrations();
    await migrate(
      db,
      all.filter((m) => m.version < 19),
    );
    const collected = async (jobId: string, usage: Record<string, unknown>) => {
      await sql`insert into events (stream_id, version, type, data, metadata)
                values (${jobId}, 1, 'BatchResultsCollected',
                        ${JSON.stringify({ batchKey: 'b1', usage })}::jsonb, '{}'::jsonb)`.execute(
        db,
      );
    };
    const usage = { inputTokens: 10, outputTokens: 5, costUsd: 0.001 };
    // Read the cache: its saving was not kept, unknown.
    await insertJobRow(db, 'acme', 'job-read');
    await collected('job-read', { ...usage, cacheReadTokens: 900, cacheWrite5mTokens: 0 });
    // Counted cache tokens and read none: saved nothing.
    await insertJobRow(db, 'acme', 'job-unread');
    await collected('job-unread', { ...usage, cacheReadTokens: 0, cacheWrite5mTokens: 80 });
    // Collected before cache tokens were counted (0014): unknown.
    await insertJobRow(db, 'acme', 'job-old');
    await collected('job-old', usage);
    // Nothing collected yet.
    await insertJobRow(db, 'acme', 'job-new');

    await migrate(db, all);

    const rows = await sql<{ id: string; cache_saved_usd: string | null }>`
      select id, cache_saved_usd from jobs order by id`.execute(db);
    expect(
      Object.fromEntries(
        rows.rows.map((r) => [r.id, r.cache_saved_usd === null ? null : Number(r.cache_saved_usd)]),
      ),
    ).toEqual({ 'job-new': 0, 'job-old': null, 'job-read': null, 'job-unread': 0 });
    // Migrating an empty PGlite from the first file takes a while on a busy machine.
  }, 120_000);
});
