import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readChainProgress } from '../../src/store/audit/chain-progress.js';
import { createDatabase, type DatabaseHandle } from '../../src/store/create-database.js';
import { appendToStream } from '../../src/store/event-store.js';
import { CHILD_TIMEOUT_MS, type ServeProcess, startServe } from '../cli/serve-process.js';
import { createTestDatabaseUrl, dropTestDatabase, testPostgresUrl } from '../support/database.js';

async function hashes(handle: DatabaseHandle): Promise<Map<number, string | null>> {
  const { rows } = await sql<{ position: string; hash: string | null }>`
    select position, encode(hash, 'hex') as hash from events`.execute(handle.db);
  return new Map(rows.map((row) => [Number(row.position), row.hash]));
}

describe.skipIf(!testPostgresUrl())('serve on a log written before the chain', () => {
  let url: string;
  let handle: DatabaseHandle;
  let serve: ServeProcess | undefined;
  beforeAll(async () => {
    url = await createTestDatabaseUrl();
    handle = await createDatabase({ databaseUrl: url, poolSize: 2 });
  });
  afterAll(async () => {
    if (serve && serve.child.exitCode === null) serve.child.kill('SIGKILL');
    await handle.close();
    await dropTestDatabase(url);
  });

  it(
    'chains the old events in the background after start-up, beside its other audit loops, then stops cleanly',
    async () => {
      const metadata = { instanceId: 'old-instance', tenant: 'acme' };
      for (let s = 0; s < 30; s++) {
        await handle.db
          .transaction()
          .execute((trx) =>
            appendToStream(trx, `old-${s}`, 0, [{ type: 'ThingHappened', data: { s } }], metadata),
          );
      }
      const appended = await hashes(handle);
      // As before migration 0010: no hashes, chaining not started.
      await handle.db.transaction().execute(async (trx) => {
        await sql`set local session_replication_role = replica`.execute(trx);
        await sql`update events set hash = null, previous_hash = null`.execute(trx);
        await sql`update event_chain_progress
                  set chain_until = (select max(position) from events), chained_up_to = 0,
                      done_at = null`.execute(trx);
      });

      serve = startServe({
        DATABASE_URL: url,
        PORT: '0',
        HOST: '127.0.0.1',
        BATCHKEEPER_PURGE_AFTER_DAYS: '30',
      });
      const base = await serve.listening();
      const finished = await serve.waitForLine(
        (line) => line.msg === 'old events chained: all of them',
      );
      expect(finished).toMatchObject({ service: 'chain-old-events', total: 30 });
      expect(await hashes(handle)).toEqual(appended);
      expect((await readChainProgress(handle.db)).doneAt).toBeInstanceOf(Date);

      // Beside it: the retention loop BATCHKEEPER_PURGE_AFTER_DAYS asks for, and the feed's lag.
      const started = serve.lines.filter((line) => line.msg === 'service started');
      expect(started.map((line) => line.service)).toEqual(
        expect.arrayContaining(['chain-old-events', 'event-feed-lag', 'payload-retention']),
      );
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(/^batchkeeper_event_feed_lag_seconds \d/m);

      serve.child.kill('SIGTERM');
      expect(await serve.exited).toBe(0);
    },
    CHILD_TIMEOUT_MS,
  );
});
