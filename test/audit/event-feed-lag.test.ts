import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEventFeedLag } from '../../src/store/audit/event-feed-lag.js';
import type { DatabaseHandle } from '../../src/store/create-database.js';
import { appendToStream } from '../../src/store/event-store.js';
import type { Db } from '../../src/store/schema/index.js';
import { openTestDatabase, testPostgresUrl } from '../support/database.js';

const metadata = { instanceId: 'lag-test', tenant: 'acme' };
const append = (db: Db, stream: string) =>
  db
    .transaction()
    .execute((trx) => appendToStream(trx, stream, 0, [{ type: 'Counted', data: {} }], metadata));

// PGlite runs one transaction at a time: nothing can hold the horizon back there.
describe.skipIf(!testPostgresUrl())(
  'the event feed’s lag (batchkeeper_event_feed_lag_seconds)',
  () => {
    let handle: DatabaseHandle;
    beforeAll(async () => {
      handle = await openTestDatabase();
    });
    afterAll(() => handle.close());

    it('is 0 while every committed event is commit-safe', async () => {
      await append(handle.db, 'lag-a');
      expect(await readEventFeedLag(handle.db)).toBe(0);
    });

    it('is how long a committed event has waited behind a transaction still open, then 0 again', async () => {
      let finish!: () => void;
      const finished = new Promise<void>((resolve) => {
        finish = resolve;
      });
      let began!: () => void;
      const writing = new Promise<void>((resolve) => {
        began = resolve;
      });
      const longTransaction = handle.db.transaction().execute(async (trx) => {
        await appendToStream(trx, 'lag-long', 0, [{ type: 'Counted', data: {} }], metadata);
        began();
        await finished;
      });
      await writing;
      await append(handle.db, 'lag-behind');
      // The waiting event committed 90 s ago, as far as the measure can tell.
      await sql`update events set recorded_at = clock_timestamp() - interval '90 seconds'
              where stream_id = 'lag-behind'`.execute(handle.db);
      const lag = await readEventFeedLag(handle.db);
      expect(lag).toBeGreaterThanOrEqual(90);
      expect(lag).toBeLessThan(3600);
      finish();
      await longTransaction;
      expect(await readEventFeedLag(handle.db)).toBe(0);
    });
  },
);
