import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConcurrencyError } from '../../src/domain/errors.js';
import { createDatabase, type DatabaseHandle } from '../../src/store/create-database.js';
import { chainHash, dataDigest, eventLinkText } from '../../src/store/event-chain.js';
import { appendToStream, readAll, readStream, streamVersion } from '../../src/store/event-store.js';
import {
  type EventMetadata,
  LOG_START,
  type NewEvent,
  type RecordedEvent,
} from '../../src/store/event-store.types.js';
import { openTestDatabase, testPostgresUrl } from '../support/database.js';

const metadata: EventMetadata = { instanceId: 'test-1', tenant: 'acme', correlationId: 'req-1' };
const event = (n: number): NewEvent => ({ type: 'ThingHappened', data: { n } });

describe('event store', () => {
  let handle: DatabaseHandle;
  const append = (stream: string, expected: number | 'any', events: NewEvent[]) =>
    handle.db
      .transaction()
      .execute((trx) => appendToStream(trx, stream, expected, events, metadata));

  beforeAll(async () => {
    handle = await openTestDatabase();
  });
  afterAll(() => handle.close());

  it('numbers a new stream’s events 1, 2, 3 in the order given', async () => {
    const result = await append('numbered', 0, [event(1), event(2), event(3)]);
    expect(result.nextVersion).toBe(3);
    const read = await readStream(handle.db, 'numbered');
    expect(read.map((e) => [e.version, e.data])).toEqual([
      [1, { n: 1 }],
      [2, { n: 2 }],
      [3, { n: 3 }],
    ]);
  });

  it('keeps the metadata and the writing transaction with each event', async () => {
    const { events } = await append('with-metadata', 0, [event(1), event(2)]);
    const [stored] = await readStream(handle.db, 'with-metadata');
    expect(stored?.metadata).toEqual(metadata);
    expect(stored?.recordedAt).toBeInstanceOf(Date);
    expect(events[0]?.transactionId).toBe(events[1]?.transactionId);
  });

  it('refuses an append at a version the stream has passed, writing nothing', async () => {
    await append('behind', 0, [event(1), event(2)]);
    await expect(append('behind', 1, [event(3), event(4)])).rejects.toBeInstanceOf(
      ConcurrencyError,
    );
    expect(await streamVersion(handle.db, 'behind')).toBe(2);
  });

  it('refuses an append at a version the stream has not reached, leaving no gap', async () => {
    await append('ahead', 0, [event(1)]);
    await expect(append('ahead', 5, [event(2)])).rejects.toBeInstanceOf(ConcurrencyError);
    expect((await readStream(handle.db, 'ahead')).map((e) => e.version)).toEqual([1]);
  });

  it('appends without a transaction as one statement, version-checked and chained all the same', async () => {
    await appendToStream(handle.db, 'alone', 0, [event(1), event(2)], metadata);
    await appendToStream(handle.db, 'alone', 2, [event(3)], metadata);
    await expect(
      appendToStream(handle.db, 'alone', 2, [event(99)], metadata),
    ).rejects.toBeInstanceOf(ConcurrencyError);
    const read = await readStream(handle.db, 'alone');
    expect(read.map((e) => e.data)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(read[2]!.transactionId).not.toBe(read[1]!.transactionId);
    expect(read.every((e) => e.hash !== null)).toBe(true);
  });

  it('appends at the end when any version is expected', async () => {
    await append('anywhere', 0, [event(1)]);
    const result = await append('anywhere', 'any', [event(2)]);
    expect(result.nextVersion).toBe(2);
  });

  it('rolls the events back with the caller’s transaction', async () => {
    await expect(
      handle.db.transaction().execute(async (trx) => {
        await appendToStream(trx, 'rolled-back', 0, [event(1)], metadata);
        throw new Error('the caller changed its mind');
      }),
    ).rejects.toThrow('changed its mind');
    expect(await streamVersion(handle.db, 'rolled-back')).toBe(0);
  });

  it('reads a stream from a given version', async () => {
    await append('partial', 0, [event(1), event(2), event(3)]);
    const read = await readStream(handle.db, 'partial', 2);
    expect(read.map((e) => e.version)).toEqual([2, 3]);
  });

  it('gives 16 racing writers versions 1..N with no gap or duplicate, the losers a ConcurrencyError', async () => {
    const writers = 16;
    const appendsEach = 5;
    // Everyone first tries to create the stream at once: exactly one may win.
    const firstRound = await Promise.allSettled(
      Array.from({ length: writers }, (_, w) => append('contended', 0, [event(w)])),
    );
    const winners = firstRound.filter((r) => r.status === 'fulfilled');
    const losers = firstRound.filter((r) => r.status === 'rejected');
    expect(winners).toHaveLength(1);
    expect(losers.every((r) => r.reason instanceof ConcurrencyError)).toBe(true);

    let conflicts = 0;
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let done = 0; done < appendsEach; ) {
          const version = await streamVersion(handle.db, 'contended');
          try {
            await append('contended', version, [event(w)]);
            done += 1;
          } catch (error) {
            if (!(error instanceof ConcurrencyError)) throw error;
            conflicts += 1;
          }
        }
      }),
    );
    const versions = (await readStream(handle.db, 'contended')).map((e) => e.version);
    expect(versions).toEqual(Array.from({ length: 1 + writers * appendsEach }, (_, i) => i + 1));
    expect(conflicts).toBeGreaterThan(0);
  });

  it.skipIf(!testPostgresUrl())(
    'holds back a committed event while an older transaction with a lower position is still open',
    async () => {
      // The log's end as stored, not as readAll sees it (it may hold recent events back).
      const last = await handle.db
        .selectFrom('events')
        .select(['transaction_id', 'position'])
        .orderBy('transaction_id', 'desc')
        .orderBy('position', 'desc')
        .executeTakeFirst();
      const after = last
        ? { transactionId: last.transaction_id, position: last.position }
        : LOG_START;
      const ours = (events: RecordedEvent[]) =>
        events
          .map((e) => e.streamId)
          .filter((s) => s === 'late-committer' || s === 'early-committer');
      let releaseSlow!: () => void;
      const slowMayCommit = new Promise<void>((resolve) => {
        releaseSlow = resolve;
      });
      let slowAppended!: () => void;
      const slowHasAppended = new Promise<void>((resolve) => {
        slowAppended = resolve;
      });
      const slow = handle.db.transaction().execute(async (trx) => {
        await appendToStream(trx, 'late-committer', 0, [event(1)], metadata);
        slowAppended();
        await slowMayCommit;
      });
      await slowHasAppended;
      await append('early-committer', 0, [event(2)]);

      const whileOpen = await readAll(handle.db, after, 100);
      expect(ours(whileOpen)).toEqual([]);

      releaseSlow();
      await slow;
      // Other databases' transactions on the same server may hold the horizon back a while.
      let afterCommit = ours(await readAll(handle.db, after, 100));
      while (afterCommit.length < 2) {
        await sleep(20);
        afterCommit = ours(await readAll(handle.db, after, 100));
      }
      expect(afterCommit).toEqual(['late-committer', 'early-committer']);
    },
  );

  it('stamps the events with the time the caller gives', async () => {
    const at = new Date('2026-01-02T03:04:05.678Z');
    const { events } = await handle.db
      .transaction()
      .execute((trx) =>
        appendToStream(trx, 'stamped', 0, [event(1)], metadata, { recordedAt: at }),
      );
    expect(events[0]?.recordedAt).toEqual(at);
    expect((await readStream(handle.db, 'stamped'))[0]?.recordedAt).toEqual(at);
  });

  it('appends many events in one statement, in the order given', async () => {
    const many = Array.from({ length: 40 }, (_, i) => event(i));
    const { nextVersion } = await append('many', 0, many);
    expect(nextVersion).toBe(40);
    const read = await readStream(handle.db, 'many');
    expect(read.map((e) => e.data)).toEqual(many.map((e) => e.data));
  });

  it.skipIf(!testPostgresUrl())(
    'parses an append once per connection and from then on only binds it',
    async () => {
      const prepared = await handle.db.transaction().execute(async (trx) => {
        await appendToStream(trx, 'prepared-1', 0, [event(1)], metadata);
        await appendToStream(trx, 'prepared-2', 0, [event(1)], metadata);
        const { rows } = await sql<{ name: string }>`
          select name from pg_prepared_statements where name like 'batchkeeper_append_%'`.execute(
          trx,
        );
        return rows.map((r) => r.name);
      });
      expect(prepared).toContain('batchkeeper_append_1');
    },
  );

  it.skipIf(!testPostgresUrl())(
    'keeps appending after a migration changes the events table under a prepared append',
    async () => {
      // One connection, so the second append reuses the statement the first one prepared.
      const single = await createDatabase({ databaseUrl: handle.url, poolSize: 1 });
      try {
        const appendOn = (expected: number) =>
          single.db
            .transaction()
            .execute((trx) =>
              appendToStream(trx, 'migrated', expected, [event(expected)], metadata),
            );
        await appendOn(0);
        await sql`alter table events add column migrated_note text`.execute(handle.db);
        try {
          await appendOn(1);
        } finally {
          await sql`alter table events drop column migrated_note`.execute(handle.db);
        }
        await appendOn(2);
        expect(await streamVersion(single.db, 'migrated')).toBe(3);
      } finally {
        await single.close();
      }
    },
  );

  it('reads the whole log in (transaction, position) order', async () => {
    const all = await readAll(handle.db, LOG_START, 10_000);
    const keys = all.map((e) => [e.transactionId, e.position] as const);
    const sorted = [...keys].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    expect(keys).toEqual(sorted);
    expect(all.length).toBeGreaterThan(0);
  });

  it('links each event to the one before: a hash anyone can recompute from the event alone', async () => {
    const hostile = { text: 'é \u2028 "q" \\ 😀', n: 1e21, nested: { b: 1, a: [0.1, -0, null] } };
    const at = new Date('2026-03-14T09:26:53.589Z');
    const { events } = await handle.db.transaction().execute((trx) =>
      appendToStream(trx, 'chained', 0, [event(1), { type: 'Odd', data: hostile }], metadata, {
        recordedAt: at,
      }),
    );
    const [first, second] = await readStream(handle.db, 'chained');
    const linkOf = (e: RecordedEvent) =>
      eventLinkText({
        ...e,
        dataDigest: dataDigest(e.data),
        recordedAt: e.recordedAt.toISOString(),
      });
    expect(first!.hash).toBe(chainHash(null, linkOf(first!)));
    expect(second!.hash).toBe(chainHash(first!.hash!, linkOf(second!)));
    expect(events.map((e) => e.hash)).toEqual([first!.hash, second!.hash]);
    // The next append links to the stored head.
    const { events: next } = await append('chained', 2, [event(3)]);
    const [, , third] = await readStream(handle.db, 'chained');
    expect(next[0]!.hash).toBe(chainHash(second!.hash!, linkOf(third!)));
  });

  it('keeps the recorded time to the millisecond the hash covers', async () => {
    const { events } = await append('millis', 0, [event(1)]);
    const [stored] = await readStream(handle.db, 'millis');
    expect(stored!.recordedAt.getTime()).toBe(events[0]!.recordedAt.getTime());
    const { rows } = await sql<{ micros: number }>`
      select extract(microseconds from recorded_at)::int % 1000 as micros
      from events where stream_id = 'millis'`.execute(handle.db);
    expect(rows[0]!.micros).toBe(0);
  });

  it('refuses a link to a head it only thought it knew, then links to the stored one on retry', async () => {
    // This process remembers a head that never committed...
    await expect(
      handle.db.transaction().execute(async (trx) => {
        await appendToStream(trx, 'phantom', 0, [event(1)], metadata);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    // ...while another instance writes the real version 1.
    await sql`insert into events (stream_id, version, type, data, metadata, hash)
              values ('phantom', 1, 'ThingHappened', '{"n":1}', '{}', ${Buffer.alloc(32, 9)})`.execute(
      handle.db,
    );
    await expect(append('phantom', 1, [event(2)])).rejects.toBeInstanceOf(ConcurrencyError);
    const { events } = await append('phantom', 1, [event(2)]);
    const [, second] = await readStream(handle.db, 'phantom');
    expect(events[0]!.hash).toBe(second!.hash);
    const { rows } = await sql<{ previous: string }>`
      select encode(previous_hash, 'hex') as previous from events
      where stream_id = 'phantom' and version = 2`.execute(handle.db);
    expect(rows[0]!.previous).toBe('09'.repeat(32));
  });
});
