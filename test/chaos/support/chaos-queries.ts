import { sql } from 'kysely';
import type { Db } from '../../../src/store/schema/index.js';

const TERMINAL = ['completed', 'failed', 'cancelled', 'expired'];

/** Jobs by status. */
export async function jobsByStatus(db: Db): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('jobs')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** How many jobs are not in a terminal status yet. */
export async function countUnfinishedJobs(db: Db): Promise<number> {
  const row = await db
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', 'not in', TERMINAL)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Requests sent on their own (not duplicates) by how many final results each has. */
export async function originalsByFinalResults(db: Db): Promise<Record<number, number>> {
  const rows = await sql<{ finals: number; n: number }>`
    select finals, count(*)::int as n from (
      select (select count(*) from request_results x
              where x.job_id = r.job_id and x.ordinal = r.ordinal and x.final)::int as finals
      from job_requests r where r.original_job_id is null
    ) counted group by finals
  `.execute(db);
  return Object.fromEntries(rows.rows.map((r) => [r.finals, r.n]));
}

/** Duplicates whose original has no final result. */
export async function countOrphanedDuplicates(db: Db): Promise<number> {
  const row = await sql<{ n: number }>`
    select count(*)::int as n from job_requests r
    where r.original_job_id is not null
      and not exists (select 1 from request_results x
                      where x.job_id = r.original_job_id and x.ordinal = r.original_ordinal and x.final)
  `.execute(db);
  return row.rows[0]!.n;
}

/** Requests in all jobs, and how many were duplicates. */
export async function countRequests(db: Db): Promise<{ total: number; duplicates: number }> {
  const row = await sql<{ total: number; duplicates: number }>`
    select count(*)::int as total, count(original_job_id)::int as duplicates from job_requests
  `.execute(db);
  return row.rows[0]!;
}

/** Leases in the table, lapsed or not. */
export async function countLeases(db: Db): Promise<number> {
  const row = await db
    .selectFrom('job_leases')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Deliveries in the outbox that are not delivered yet (pending or dead). */
export async function countUndelivered(db: Db): Promise<number> {
  const row = await db
    .selectFrom('webhook_deliveries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '!=', 'delivered')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Webhook deliveries of job callbacks by status. */
export async function deliveriesByStatus(db: Db): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('webhook_deliveries')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** Every JobStarted: which job, by whom, when (wall clock ms), in log order. */
export async function jobStarts(
  db: Db,
): Promise<Array<{ jobId: string; instanceId: string; at: number }>> {
  const rows = await db
    .selectFrom('events')
    .select(['stream_id', 'data', 'recorded_at'])
    .where('type', '=', 'JobStarted')
    .orderBy('position')
    .execute();
  return rows.map((r) => ({
    jobId: r.stream_id,
    instanceId: (r.data as { instanceId: string }).instanceId,
    at: new Date(r.recorded_at).getTime(),
  }));
}

/** Sub-batches of all jobs, and how many were adopted or abandoned after a lost answer. */
export async function countBatchEvents(
  db: Db,
): Promise<{ submitted: number; adopted: number; abandoned: number }> {
  const row = await sql<{ submitted: number; adopted: number; abandoned: number }>`
    select count(*) filter (where type = 'BatchSubmitted')::int as submitted,
           count(*) filter (where type = 'BatchSubmitted' and (data->>'adopted')::boolean)::int as adopted,
           count(*) filter (where type = 'BatchSubmissionAbandoned')::int as abandoned
    from events
  `.execute(db);
  return row.rows[0]!;
}
