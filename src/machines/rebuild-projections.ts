import { takeAdvisoryLock } from '../store/advisory-locks.js';
import { listStreamIds, readStream } from '../store/event-store.js';
import type { RecordedEvent } from '../store/event-store.types.js';
import { type ProjectedStep, projectJobCommit } from '../store/jobs/project-job.js';
import {
  clearProjectionTables,
  lockProjectionTables,
  PROJECTED_TABLES,
  type ProjectedRows,
  type ProjectedTable,
  readProjectedRows,
} from '../store/jobs/projection-tables.js';
import type { Db } from '../store/schema/index.js';
import { applyEvents, emptySnapshot, stepOf } from './job-snapshot.js';
import { toJobEvent } from './job-store.js';

export interface RebuildReport {
  streams: number;
  events: number;
  /** Rows that differ between the live tables and the rebuilt ones, by table. */
  differences: Record<ProjectedTable, { missing: number; extra: number }>;
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
      await takeAdvisoryLock(trx, 'projectionsRebuild');
      await lockProjectionTables(trx);
      const before = await readProjectedRows(trx);
      await clearProjectionTables(trx);

      const streams = await listStreamIds(trx);
      let events = 0;
      for (const streamId of streams) {
        const recorded = await readStream(trx, streamId);
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
      const after = await readProjectedRows(trx);
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

function compare(before: ProjectedRows, after: ProjectedRows): RebuildReport['differences'] {
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
