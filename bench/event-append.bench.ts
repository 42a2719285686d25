import { sql } from 'kysely';
import { appendToStream } from '../src/store/event-store.js';
import { median, openBenchDatabase, printResult, runConcurrently } from './support.js';

const STREAMS_PER_ROUND = 500;
const EVENTS_PER_STREAM = 10;
const ROUNDS = 6;
const WRITERS = 8;
const TARGET_RATIO = 0.7;

/**
 * Events/s through the event store against the same rows written with plain
 * INSERTs in the same transaction boundaries (one event per transaction,
 * 8 concurrent writers), on real Postgres, in the same run.
 *
 * The plain table is `like events including defaults including constraints
 * including indexes`: it pays for the same position sequence, the same
 * `pg_current_xact_id()` default, the same unique (stream_id, version) and
 * commit-order indexes. What it does not do is what the event store adds:
 * the expected-version check and RETURNING the stored rows.
 *
 * The figure is the median of paired rounds (plain and store back to back,
 * the order alternating), so a burst of load from neighbours spoils one
 * round's ratio rather than one side's best.
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
    const perRound = STREAMS_PER_ROUND * EVENTS_PER_STREAM;

    // Each worker owns whole streams so both runs write the same rows in the same order.
    const timePlain = async (round: number) => {
      const start = performance.now();
      await runConcurrently(STREAMS_PER_ROUND, WRITERS, async (s) => {
        for (let v = 1; v <= EVENTS_PER_STREAM; v++) {
          await db.transaction().execute(async (trx) => {
            await sql`insert into plain_events (stream_id, version, type, data, metadata)
                      values (${`plain-${round}-${s}`}, ${v}, 'ProgressRecorded', ${JSON.stringify(data)}::jsonb,
                              ${JSON.stringify(metadata)}::jsonb)`.execute(trx);
          });
        }
      });
      return perRound / ((performance.now() - start) / 1000);
    };
    const timeStore = async (round: number) => {
      const start = performance.now();
      await runConcurrently(STREAMS_PER_ROUND, WRITERS, async (s) => {
        for (let v = 0; v < EVENTS_PER_STREAM; v++) {
          await db.transaction().execute(async (trx) => {
            await appendToStream(
              trx,
              `store-${round}-${s}`,
              v,
              [{ type: 'ProgressRecorded', data }],
              metadata,
            );
          });
        }
      });
      return perRound / ((performance.now() - start) / 1000);
    };

    // A warm-up of each (connections, caches, JIT of our own code), not counted.
    await timePlain(-1);
    await timeStore(-1);

    const plainRates: number[] = [];
    const storeRates: number[] = [];
    const ratios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      let plain: number;
      let store: number;
      if (round % 2 === 0) {
        plain = await timePlain(round);
        store = await timeStore(round);
      } else {
        store = await timeStore(round);
        plain = await timePlain(round);
      }
      plainRates.push(plain);
      storeRates.push(store);
      ratios.push(store / plain);
    }
    const ratio = median(ratios);
    const pass = ratio >= TARGET_RATIO;
    printResult('event-append', {
      'events per side': perRound * ROUNDS,
      writers: WRITERS,
      'plain INSERT events/s': `${median(plainRates).toFixed(0)} (median of ${ROUNDS} rounds)`,
      'event store events/s': `${median(storeRates).toFixed(0)} (median of ${ROUNDS} rounds)`,
      'ratio per round': ratios.map((r) => r.toFixed(2)).join(' '),
      'ratio (store / plain)': `${ratio.toFixed(2)} median (target >= ${TARGET_RATIO}) ${pass ? 'PASS' : 'FAIL'}`,
    });
    return { ratio, pass };
  } finally {
    await handle.close();
  }
}
