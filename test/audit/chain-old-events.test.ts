import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainOldEvents, chainOldEventsRound } from '../../src/audit/chain-old-events.js';
import { checkLink } from '../../src/audit/verify-stream.js';
import { readChainProgress } from '../../src/store/audit/chain-progress.js';
import { readAuditEvents } from '../../src/store/audit/read-audit-events.js';
import type { DatabaseHandle } from '../../src/store/create-database.js';
import { appendToStream } from '../../src/store/event-store.js';
import type { NewEvent } from '../../src/store/event-store.types.js';
import type { Db } from '../../src/store/schema/index.js';
import { forgetStreamHeads } from '../../src/store/stream-heads.js';
import { openTestDatabase } from '../support/database.js';

const metadata = { instanceId: 'old-instance', tenant: 'acme' };
const event = (n: number): NewEvent => ({ type: 'ThingHappened', data: { n, text: 'é\u2028"x"' } });

const append = (db: Db, stream: string, expected: number, events: NewEvent[]) =>
  db.transaction().execute((trx) => appendToStream(trx, stream, expected, events, metadata));

/** Makes the log look as it did before migration 0010: no hashes, chaining not started. */
async function asBeforeTheChain(db: Db): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`set local session_replication_role = replica`.execute(trx);
    await sql`update events set hash = null, previous_hash = null`.execute(trx);
    await sql`update event_chain_progress
              set chain_until = (select max(position) from events), chained_up_to = 0,
                  done_at = null`.execute(trx);
  });
  // What this process remembers of the heads is now wrong, as after restoring a database.
  forgetStreamHeads();
}

async function hashes(db: Db): Promise<Map<number, string | null>> {
  const { rows } = await sql<{ position: string; hash: string | null }>`
    select position, encode(hash, 'hex') as hash from events`.execute(db);
  return new Map(rows.map((row) => [Number(row.position), row.hash]));
}

async function firstBreak(db: Db, stream: string) {
  const events = await readAuditEvents(db, stream);
  let previous: string | null = null;
  for (const [i, e] of events.entries()) {
    const broken = checkLink(stream, e, i + 1, previous);
    if (broken) return broken;
    previous = e.hash;
  }
  return undefined;
}

describe('chaining the events written before the chain', () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openTestDatabase();
  });
  afterAll(() => handle.close());

  it('gives old events exactly the hashes the append gives, in resumable batches', async () => {
    const { db } = handle;
    for (let s = 0; s < 5; s++) {
      await append(db, `old-${s}`, 0, [event(1), event(2)]);
      await append(db, `old-${s}`, 2, [event(3)]);
    }
    const appended = await hashes(db);
    await asBeforeTheChain(db);
    expect([...(await hashes(db)).values()].every((h) => h === null)).toBe(true);

    // Four events a round: the walk stops part way and the progress row says where.
    const first = await chainOldEventsRound(db, 4);
    expect(first).toEqual({ chained: 6, done: false });
    expect((await readChainProgress(db)).chainedUpTo).toBeLessThan(
      (await readChainProgress(db)).chainUntil,
    );
    await chainOldEvents(db, { eventsPerRound: 4, pauseMs: 1 });
    expect(await hashes(db)).toEqual(appended);
    expect((await readChainProgress(db)).doneAt).toBeInstanceOf(Date);
  });

  it('chains an event appended to a stream whose head was not chained yet', async () => {
    const { db } = handle;
    await append(db, 'during', 0, [event(1)]);
    await asBeforeTheChain(db);
    // Appended in the window: its predecessor has no hash yet, so neither has it.
    const { events } = await append(db, 'during', 1, [event(2), event(3)]);
    expect(events.map((e) => e.hash)).toEqual([null, null]);
    expect(await firstBreak(db, 'during')).toMatchObject({ version: 1, reason: 'unchained' });
    await chainOldEvents(db, { pauseMs: 1 });
    expect(await firstBreak(db, 'during')).toBeUndefined();
    // And the chain goes on from there with the append's own links.
    await append(db, 'during', 3, [event(4)]);
    expect(await firstBreak(db, 'during')).toBeUndefined();
  });
});
