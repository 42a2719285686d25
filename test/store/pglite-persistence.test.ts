import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../src/store/create-database.js';
import { appendToStream, readStream } from '../../src/store/event-store.js';
import { isMigrated, migrate } from '../../src/store/migrate.js';

describe('embedded PGlite', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('keeps its events in its data folder across close and reopen', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'batchkeeper-pglite-'));
    dirs.push(dataDir);
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
  });
});
