import { sql } from 'kysely';
import { appendToStream } from '../../src/store/event-store.js';
import { PreparedStatement } from '../../src/store/prepared-statements.js';
import { type Benchmark, type Figure, formatNumber } from '../harness/figure.js';
import {
  median,
  openBenchDatabase,
  pairedRounds,
  perRoundRatios,
  runConcurrently,
} from '../support.js';
import { type EmmettSide, openEmmettEventStore } from './emmett-event-store.js';

const EVENTS_PER_STREAM = 10;
const WRITERS = 8;
const SIDES = ['event store', 'Emmett', 'plain prepared', 'plain'] as const;
type Side = (typeof SIDES)[number];

/**
 * Events/s through the event store, 8 concurrent writers, one event per transaction, against
 * three writers of the same events on the same server in the same rounds:
 * - Emmett's PostgreSQL event store (`appendToStream`, its own database and schema);
 * - plain INSERTs into a copy of `events` (`like events including defaults including
 *   constraints including indexes`: the same position sequence, `pg_current_xact_id()` default
 *   and indexes), sent as a prepared statement like the store's append;
 * - the same INSERTs sent like any other query (parsed and planned each time; printed only).
 * Each append is its own transaction on every side: ours and the plain INSERTs are one
 * statement each, sent without BEGIN/COMMIT (a statement is atomic by itself); Emmett's opens
 * a transaction around its append function. What the store adds over the plain INSERT is its
 * hash chain, its contiguous-version foreign key and RETURNING the stored row; Emmett adds
 * its streams table, its append function and the transaction around it.
 */
export const benchEventAppend: Benchmark = async ({ quick }) => {
  const streamsPerRound = quick ? 60 : 500;
  const rounds = quick ? 3 : 6;
  const handle = await openBenchDatabase(WRITERS + 2);
  const { db } = handle;
  let emmett: EmmettSide | undefined;
  try {
    emmett = await openEmmettEventStore();
    const emmettSide = emmett;
    await sql`create table plain_events (like events including defaults including constraints including indexes)`.execute(
      db,
    );
    const metadata = { instanceId: 'bench', tenant: 'bench' };
    const metadataJson = JSON.stringify(metadata);
    const data = { status: 'processing', progress: { completed: 10, total: 100 } };
    const plainInsert = new PreparedStatement<never>(
      'bench_plain_insert',
      `insert into plain_events (stream_id, version, type, data, metadata)
       values ($1, $2, 'ProgressRecorded', $3::jsonb, $4::jsonb)`,
    );

    const write: Record<Side, (stream: string, version: number) => Promise<void>> = {
      // Each side's append is its own transaction: ours is one statement, atomic by itself.
      'event store': async (stream, version) => {
        await appendToStream(db, stream, version - 1, [{ type: 'ProgressRecorded', data }], {
          instanceId: 'bench',
          tenant: 'bench',
        });
      },
      Emmett: (stream, version) => emmettSide.append(stream, version, data, metadata),
      'plain prepared': async (stream, version) => {
        await db.executeQuery(
          plainInsert.bind([stream, version, JSON.stringify(data), metadataJson]),
        );
      },
      plain: async (stream, version) => {
        await sql`insert into plain_events (stream_id, version, type, data, metadata)
                  values (${stream}, ${version}, 'ProgressRecorded', ${JSON.stringify(data)}::jsonb,
                          ${metadataJson}::jsonb)`.execute(db);
      },
    };
    // Each writer owns whole streams, so every side writes the same rows in the same order.
    const eventsPerSecond = async (side: Side, round: number, streams: number) => {
      const started = performance.now();
      await runConcurrently(streams, WRITERS, async (s) => {
        for (let v = 1; v <= EVENTS_PER_STREAM; v++) await write[side](`${side}-${round}-${s}`, v);
      });
      return (streams * EVENTS_PER_STREAM) / ((performance.now() - started) / 1000);
    };
    // Connections, caches, prepared statements and the JIT warmed on every side first.
    for (const side of SIDES) await eventsPerSecond(side, -1, Math.ceil(streamsPerRound / 5));
    const rates = await pairedRounds(SIDES, rounds, (side, round) =>
      eventsPerSecond(side, round, streamsPerRound),
    );

    const perSecond = (side: Side) => formatNumber(median(rates[side]), 'events/s');
    const ours = `event store: ${perSecond('event store')}`;
    const size = `${WRITERS} writers, 1 event per transaction`;
    const unprepared = median(perRoundRatios(rates['event store'], rates.plain));
    const figures: Figure[] = [
      {
        benchmark: 'event-append',
        name: `append vs Emmett, ${size}`,
        ours,
        baseline: `Emmett appendToStream: ${perSecond('Emmett')}`,
        kind: 'ratio',
        values: perRoundRatios(rates['event store'], rates.Emmett),
        target: { op: '>=', value: 1.5, label: 'Emmett' },
      },
      {
        benchmark: 'event-append',
        name: `append vs prepared plain INSERT, ${size}`,
        ours,
        baseline: `prepared INSERT into a copy of events: ${perSecond('plain prepared')}`,
        kind: 'ratio',
        values: perRoundRatios(rates['event store'], rates['plain prepared']),
        target: { op: '>=', value: 0.7, label: 'prepared INSERT' },
        note: `against the same INSERT sent unprepared (${perSecond('plain')}): ${unprepared.toFixed(2)}× median`,
      },
    ];
    return figures;
  } finally {
    await emmett?.close();
    await handle.close();
  }
};
