import { sql } from 'kysely';
import { readStream } from '../store/event-store.js';
import type { RecordedEvent } from '../store/event-store.types.js';
import { type ProjectedStep, projectJobCommit, STATS_COLUMNS } from '../store/jobs/project-job.js';
import type { Db, Trx } from '../store/schema/index.js';
import { applyEvents, emptySnapshot, stepOf } from './job-snapshot.js';
import { toJobEvent } from './job-store.js';

/** The read models rebuilt from the log. */
const PROJECTED_TABLES = ['jobs', 'job_batches', 'job_stats'] as const;
// Any constant no other advisory lock of ours uses: one rebuild at a time.
const REBUILD_LOCK_KEY = 7_240_003;

export interface RebuildReport {
  streams: number;
  events: number;
  /** Rows that differ between the live tables and the rebuilt ones, by table. */
  differences: Record<(typeof PROJECTED_TABLES)[number], { missing: number; extra: number }>;
  /** Whether the rebuilt tables were kept (false for a check). */
  applied: boolean;
}

class CheckOnly extends Error {
  constructor(readonly report: RebuildReport) {
    super('check only');
  }
}

/**
 * Replays the whole log into the read models with the same projection code
 * that keeps them live, in one transaction, and compares the result with
 * what was there. With `check`, nothing is kept: it only reports the differences.
 */
export async function rebuildProjections(
  db: Db,
  options: { check?: boolean } = {},
): Promise<RebuildReport> {
  try {
    return await db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${REBUILD_LOCK_KEY})`.execute(trx);
      // Writers lock a job's row before appending; taking the tables keeps them out meanwhile.
      await sql`lock table jobs, job_batches, job_stats in exclusive mode`.execute(trx);
      const before = await snapshotTables(trx);
      for (const table of PROJECTED_TABLES) await sql`delete from ${sql.table(table)}`.execute(trx);

      const streams = await trx.selectFrom('events').select('stream_id').distinct().execute();
      let events = 0;
      for (const { stream_id } of streams) {
        const recorded = await readStream(trx, stream_id);
        // Commit by commit, as the instances wrote them (a commit is one transaction's
        // events): totals summed once per commit add up to exactly the same numbers.
        let snapshot = emptySnapshot();
        let written: number | null = null;
        for (const commit of commitsOf(recorded)) {
          const steps: ProjectedStep[] = [];
          for (const event of commit) {
            const jobEvent = toJobEvent(event);
            const previous = snapshot.context.job;
            snapshot = applyEvents(snapshot, [jobEvent]);
            steps.push({ before: previous, event: jobEvent, after: snapshot.context.job! });
          }
          const version = commit.at(-1)!.version;
          await projectJobCommit(trx, steps, stepOf(snapshot), version, written);
          written = version;
        }
        events += recorded.length;
      }
      const after = await snapshotTables(trx);
      const report: RebuildReport = {
        streams: streams.length,
        events,
        differences: compare(before, after),
        applied: !options.check,
      };
      if (options.check) throw new CheckOnly(report);
      return report;
    });
  } catch (error) {
    if (error instanceof CheckOnly) return error.report;
    throw error;
  }
}

/** A stream's events grouped by the transaction that wrote them, in order. */
function commitsOf(events: readonly RecordedEvent[]): RecordedEvent[][] {
  const commits: RecordedEvent[][] = [];
  for (const event of events) {
    const last = commits.at(-1);
    if (last && last[0]!.transactionId === event.transactionId) last.push(event);
    else commits.push([event]);
  }
  return commits;
}

type TableRows = Record<(typeof PROJECTED_TABLES)[number], string[]>;

async function snapshotTables(trx: Trx): Promise<TableRows> {
  const rows = {} as TableRows;
  for (const table of PROJECTED_TABLES) {
    const result = await sql<{
      row: string;
    }>`select to_jsonb(t)::text as row from ${rowsToCompare(table)} t`.execute(trx);
    rows[table] = result.rows.map((r) => canonicalRow(r.row));
  }
  return rows;
}

/**
 * A table's rows as they are compared. The totals are compared per tenant: how a tenant's
 * totals are spread over its shard rows depends on which session wrote each commit.
 */
function rowsToCompare(table: (typeof PROJECTED_TABLES)[number]) {
  if (table !== 'job_stats') return sql.table(table);
  const sums = STATS_COLUMNS.map((c) => sql`sum(${sql.ref(c)}) as ${sql.ref(c)}`);
  return sql`(select tenant, ${sql.join(sums)} from job_stats group by tenant)`;
}

/** A row as text with sorted keys, so equal rows compare equal. */
function canonicalRow(json: string): string {
  const row = JSON.parse(json) as Record<string, unknown>;
  return JSON.stringify(
    Object.fromEntries(Object.entries(row).sort(([a], [b]) => a.localeCompare(b))),
  );
}

function compare(before: TableRows, after: TableRows): RebuildReport['differences'] {
  const differences = {} as RebuildReport['differences'];
  for (const table of PROJECTED_TABLES) {
    const live = countRows(before[table]);
    const rebuilt = countRows(after[table]);
    let missing = 0;
    let extra = 0;
    for (const [row, n] of live) missing += Math.max(0, n - (rebuilt.get(row) ?? 0));
    for (const [row, n] of rebuilt) extra += Math.max(0, n - (live.get(row) ?? 0));
    differences[table] = { missing, extra };
  }
  return differences;
}

function countRows(rows: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row, (counts.get(row) ?? 0) + 1);
  return counts;
}
