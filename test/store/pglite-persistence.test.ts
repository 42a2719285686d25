import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../src/store/create-database.js';
import { DataDirLockedError } from '../../src/store/data-dir-lock.js';
import { appendToStream, readStream } from '../../src/store/event-store.js';
import { isMigrated, migrate } from '../../src/store/migrate.js';

// One folder for the file: its cluster is made once (the slow part), then opened by each test.
describe('embedded PGlite in a data folder', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'batchkeeper-pglite-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('keeps its events in its data folder across close and reopen', async () => {
    const first = await createDatabase({ dataDir });
    await migrate(first.db);
    await first.db.transaction().execute((trx) =>
      appendToStream(trx, 'durable', 0, [{ type: 'Kept', data: { ok: true } }], {
        instanceId: 'a',
        tenant: 't',
      }),
    );
    await first.close();

    const second = await createDatabase({ dataDir });
    try {
      expect(await isMigrated(second.db)).toBe(true);
      const events = await readStream(second.db, 'durable');
      expect(events.map((e) => [e.type, e.data])).toEqual([['Kept', { ok: true }]]);
    } finally {
      await second.close();
    }
    // A fresh folder: initdb and every migration, then a second cold open. 17–20 s on this
    // 2-core machine, and 30 s once under a loaded CI run.
  }, 120_000);

  it('refuses a second open of the folder while it is open, naming this process', async () => {
    const first = await createDatabase({ dataDir });
    try {
      const error = await createDatabase({ dataDir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataDirLockedError);
      expect((error as DataDirLockedError).owner.pid).toBe(process.pid);
    } finally {
      await first.close();
    }
    const again = await createDatabase({ dataDir });
    await again.close();
  });

  it('runs with a small buffer cache (shared_buffers), to keep its memory low', async () => {
    const database = await createDatabase({ dataDir });
    try {
      const { rows } = await sql<{ shared_buffers: string }>`show shared_buffers`.execute(
        database.db,
      );
      expect(rows[0]?.shared_buffers).toBe('32MB');
    } finally {
      await database.close();
    }
  });
});
