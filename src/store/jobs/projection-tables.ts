import { sql } from 'kysely';
import type { Trx } from '../schema/index.js';
import { STATS_COLUMNS } from './project-job-stats.js';

/** The read models written from the log: what `projections rebuild` replays into. */
export const PROJECTED_TABLES = ['jobs', 'job_batches', 'job_stats'] as const;
export type ProjectedTable = (typeof PROJECTED_TABLES)[number];

/** Each projected table's rows as canonical JSON text (sorted keys), so equal rows compare equal. */
export type ProjectedRows = Record<ProjectedTable, string[]>;

/**
 * Keeps every writer out of the read models until the transaction ends. Writers lock a job's
 * row before they append, so none can commit into the log meanwhile either.
 */
export async function lockProjectionTables(trx: Trx): Promise<void> {
  await sql`lock table jobs, job_batches, job_stats in exclusive mode`.execute(trx);
}

/** Empties the read models (inside the rebuild's transaction, under its lock). */
export async function clearProjectionTables(trx: Trx): Promise<void> {
  for (const table of PROJECTED_TABLES) await sql`delete from ${sql.table(table)}`.execute(trx);
}

/** The read models' rows as they are compared. */
export async function readProjectedRows(trx: Trx): Promise<ProjectedRows> {
  const rows = {} as ProjectedRows;
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
function rowsToCompare(table: ProjectedTable) {
  if (table !== 'job_stats') return sql.table(table);
  const sums = STATS_COLUMNS.map((c) => sql`sum(${sql.ref(c)}) as ${sql.ref(c)}`);
  return sql`(select tenant, ${sql.join(sums)} from job_stats group by tenant)`;
}

function canonicalRow(json: string): string {
  const row = JSON.parse(json) as Record<string, unknown>;
  return JSON.stringify(
    Object.fromEntries(Object.entries(row).sort(([a], [b]) => a.localeCompare(b))),
  );
}
