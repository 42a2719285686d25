import { sql } from 'kysely';
import { appendToStream } from '../src/store/event-store.js';
import { openBenchDatabase, printResult, runConcurrently } from './support.js';

const STREAMS = 2_000;
const EVENTS_PER_STREAM = 10;
const WRITERS = 8;
const TARGET_RATIO = 0.7;

/**
 * Events/s through the event store against the same rows written with plain
 * INSERTs in the same transaction boundaries (one event per transaction,
 * 8 concurrent writers), on real Postgres, in the same run.
 */
export async function benchEventAppend(): Promise<{ ratio: number; pass: boolean }> {
  const handle = await openBenchDatabase(WRITERS + 2);
  const { db } = handle;
  try {
    await sql`create table plain_events (like events including defaults including constraints including indexes)`.execute(
      db,
    );
    const metadata = { instanceId: 'bench', tenant: 'bench' };
    const data = { status: 'processing', progress: { completed: 10, total: 100 } };
    const total = STREAMS * EVENTS_PER_STREAM;

    // Each worker owns whole streams so both runs write the same rows in the same order.
    const timePlain = async () => {
      const start = performance.now();
      await runConcurrently(STREAMS, WRITERS, async (s) => {
        for (let v = 1; v <= EVENTS_PER_STREAM; v++) {
          await db.transaction().execute(async (trx) => {
            await sql`insert into plain_events (stream_id, version, type, data, metadata)
                      values (${`plain-${s}`}, ${v}, 'ProgressRecorded', ${JSON.stringify(data)}::jsonb,
                              ${JSON.stringify(metadata)}::jsonb)`.execute(trx);
          });
        }
      });
      return total / ((performance.now() - start) / 1000);
    };
    const timeStore = async () => {
      const start = performance.now();
      await runConcurrently(STREAMS, WRITERS, async (s) => {
        for (let v = 0; v < EVENTS_PER_STREAM; v++) {
          await db.transaction().execute(async (trx) => {
            await appendToStream(
              trx,
              `store-${s}`,
              v,
              [{ type: 'ProgressRecorded', data }],
              metadata,
            );
          });
        }
      });
      return total / ((performance.now() - start) / 1000);
    };

    // Interleaved, best of two each, so warm-up and neighbours' noise hit both alike.
    let plain = 0;
    let store = 0;
    for (let round = 0; round < 2; round++) {
      await sql`truncate plain_events, events`.execute(db);
      plain = Math.max(plain, await timePlain());
      await sql`truncate plain_events, events`.execute(db);
      store = Math.max(store, await timeStore());
    }
    const ratio = store / plain;
    const pass = ratio >= TARGET_RATIO;
    printResult('event-append', {
      events: total,
      writers: WRITERS,
      'plain INSERT events/s': plain.toFixed(0),
      'event store events/s': store.toFixed(0),
      'ratio (store / plain)': `${ratio.toFixed(2)} (target >= ${TARGET_RATIO}) ${pass ? 'PASS' : 'FAIL'}`,
    });
    return { ratio, pass };
  } finally {
    await handle.close();
  }
}
