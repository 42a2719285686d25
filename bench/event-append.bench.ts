import { sql } from 'kysely';
import { appendToStream } from '../src/store/event-store.js';
import { PreparedStatement } from '../src/store/prepared-statements.js';
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
 * the contiguous-version foreign key and RETURNING the stored rows.
 *
 * The store's append is a prepared statement, so the target is checked
 * against plain INSERTs sent the same way (prepared); the ratio against a
 * plain INSERT sent like any other query (parsed and planned every time) is
 * printed beside it.
 *
 * The figure is the median of per-round ratios, the three sides back to back
 * in an order that rotates every round, so a burst of load from neighbours
 * spoils one round's ratio rather than one side's best.
 */
export async function benchEventAppend(): Promise<{ ratio: number; pass: boolean }> {
  const handle = await openBenchDatabase(WRITERS + 2);
  const { db } = handle;
  try {
    await sql`create table plain_events (like events including defaults including constraints including indexes)`.execute(
      db,
    );
    const metadata = JSON.stringify({ instanceId: 'bench', tenant: 'bench' });
    const data = { status: 'processing', progress: { completed: 10, total: 100 } };
    const perRound = STREAMS_PER_ROUND * EVENTS_PER_STREAM;
    const plainInsert = new PreparedStatement<never>(
      'bench_plain_insert',
      `insert into plain_events (stream_id, version, type, data, metadata)
       values ($1, $2, 'ProgressRecorded', $3::jsonb, $4::jsonb)`,
    );

    type Side = 'plain' | 'plain prepared' | 'event store';
    const write: Record<Side, (stream: string, version: number) => Promise<void>> = {
      plain: (stream, version) =>
        db.transaction().execute(async (trx) => {
          await sql`insert into plain_events (stream_id, version, type, data, metadata)
                    values (${stream}, ${version}, 'ProgressRecorded', ${JSON.stringify(data)}::jsonb,
                            ${metadata}::jsonb)`.execute(trx);
        }),
      'plain prepared': (stream, version) =>
        db.transaction().execute(async (trx) => {
          await trx.executeQuery(
            plainInsert.bind([stream, version, JSON.stringify(data), metadata]),
          );
        }),
      'event store': (stream, version) =>
        db.transaction().execute(async (trx) => {
          await appendToStream(trx, stream, version - 1, [{ type: 'ProgressRecorded', data }], {
            instanceId: 'bench',
            tenant: 'bench',
          });
        }),
    };
    // Each worker owns whole streams so every side writes the same rows in the same order.
    const time = async (side: Side, round: number) => {
      const start = performance.now();
      await runConcurrently(STREAMS_PER_ROUND, WRITERS, async (s) => {
        for (let v = 1; v <= EVENTS_PER_STREAM; v++) await write[side](`${side}-${round}-${s}`, v);
      });
      return perRound / ((performance.now() - start) / 1000);
    };

    const sides: Side[] = ['plain', 'plain prepared', 'event store'];
    // A warm-up of each (connections, caches, prepared statements, JIT), not counted.
    for (const side of sides) await time(side, -1);

    const rates: Record<Side, number[]> = { plain: [], 'plain prepared': [], 'event store': [] };
    const ratios: number[] = [];
    const ratiosToUnprepared: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const order = [...sides.slice(round % 3), ...sides.slice(0, round % 3)];
      if (round % 2 === 1) order.reverse();
      const rate = {} as Record<Side, number>;
      for (const side of order) rate[side] = await time(side, round);
      for (const side of sides) rates[side].push(rate[side]);
      ratios.push(rate['event store'] / rate['plain prepared']);
      ratiosToUnprepared.push(rate['event store'] / rate.plain);
    }
    const ratio = median(ratios);
    const pass = ratio >= TARGET_RATIO;
    const rounds = `(median of ${ROUNDS} rounds)`;
    printResult('event-append', {
      'events per side': perRound * ROUNDS,
      writers: WRITERS,
      'plain INSERT events/s': `${median(rates.plain).toFixed(0)} ${rounds}`,
      'prepared INSERT events/s': `${median(rates['plain prepared']).toFixed(0)} ${rounds}`,
      'event store events/s': `${median(rates['event store']).toFixed(0)} ${rounds}`,
      'store / plain': `${median(ratiosToUnprepared).toFixed(2)} median; per round ${ratiosToUnprepared.map((r) => r.toFixed(2)).join(' ')}`,
      'store / prepared per round': ratios.map((r) => r.toFixed(2)).join(' '),
      'ratio (store / prepared)': `${ratio.toFixed(2)} median (target >= ${TARGET_RATIO}) ${pass ? 'PASS' : 'FAIL'}`,
    });
    return { ratio, pass };
  } finally {
    await handle.close();
  }
}
