import { sql } from 'kysely';
import { EVENT_COLUMNS, rowToRecordedEvent } from '../event-store.js';
import type { RecordedEvent } from '../event-store.types.js';
import type { DbOrTrx, EventRow, Trx } from '../schema/index.js';

/**
 * Claims up to `limit` jobs that need an instance for `owner`, in priority order (lower
 * number first, then oldest), by taking their leases, and reads their logs, in one
 * statement (answers the claimed jobs' events, each job's in version order): queued jobs, and
 * processing jobs nobody holds (a paused job gave its slot back and was resumed; a job left
 * waiting only for other jobs' originals gave it back, and is ready once they all have their
 * outcome or its deadline at `now` passed). A job with a lease is held (a queued one was
 * claimed a moment ago and is being started); rows another instance is claiming at this
 * moment are skipped (SKIP LOCKED), and a lease taken meanwhile wins (ON CONFLICT).
 */
export async function claimQueuedJobs(
  db: DbOrTrx,
  claim: { owner: string; limit: number; now: Date; expiresAt: Date; skip?: readonly string[] },
): Promise<RecordedEvent[]> {
  if (claim.limit <= 0) return [];
  const skip = [...(claim.skip ?? [])];
  const rows = await sql<EventRow>`
    with claimed as (
    insert into job_leases (job_id, owner, expires_at, acquired_at)
    select c.id, ${claim.owner}, ${claim.expiresAt}::timestamptz, ${claim.now}::timestamptz
    from (
      select j.id from jobs j
      where not exists (select 1 from job_leases l where l.job_id = j.id)
        and j.id <> all(${skip}::text[])
        and (j.status = 'queued'
             or (j.status = 'processing'
                 and (j.expires_at <= ${claim.now}::timestamptz
                      or not exists (
                        select 1 from job_requests r
                        where r.job_id = j.id and r.original_job_id is not null
                          and not exists (select 1 from request_results x
                                          where x.job_id = r.original_job_id
                                            and x.ordinal = r.original_ordinal and x.final)))))
      order by j.priority, j.created_at, j.id
      limit ${claim.limit}
      for update of j skip locked
    ) c
    on conflict (job_id) do nothing
    returning job_id
    )
    select ${sql.join(EVENT_COLUMNS.map((c) => sql.ref(`e.${c}`)))}
    from claimed c join events e on e.stream_id = c.job_id
    order by e.stream_id, e.version
  `.execute(db);
  return rows.rows.map(rowToRecordedEvent);
}

/** Takes the leases on jobs just claimed for `owner` until `expiresAt`, in one statement. */
export async function acquireLeases(
  trx: Trx,
  jobIds: readonly string[],
  owner: string,
  now: Date,
  expiresAt: Date,
): Promise<void> {
  if (jobIds.length === 0) return;
  await trx
    .insertInto('job_leases')
    .values(jobIds.map((job_id) => ({ job_id, owner, expires_at: expiresAt, acquired_at: now })))
    .onConflict((oc) =>
      oc.column('job_id').doUpdateSet({ owner, expires_at: expiresAt, acquired_at: now }),
    )
    .execute();
}

/** Takes (or renews) the lease on a job for `owner` until `expiresAt`. */
export async function acquireLease(
  trx: Trx,
  jobId: string,
  owner: string,
  now: Date,
  expiresAt: Date,
): Promise<void> {
  await trx
    .insertInto('job_leases')
    .values({ job_id: jobId, owner, expires_at: expiresAt, acquired_at: now })
    .onConflict((oc) =>
      oc.column('job_id').doUpdateSet({ owner, expires_at: expiresAt, acquired_at: now }),
    )
    .execute();
}

/**
 * Takes over up to `limit` leases that lapsed (their owner stopped renewing), in one
 * statement: the jobs come back to life on this instance.
 */
export async function claimLapsedLeases(
  db: DbOrTrx,
  owner: string,
  now: Date,
  expiresAt: Date,
  limit: number,
): Promise<Array<{ jobId: string; previousOwner: string; lapsedAt: Date }>> {
  if (limit <= 0) return [];
  const rows = await sql<{ job_id: string; previous_owner: string; lapsed_at: Date }>`
    update job_leases l
    set owner = ${owner}, expires_at = ${expiresAt}::timestamptz, acquired_at = ${now}::timestamptz
    from (
      select job_id, owner as previous_owner, expires_at as lapsed_at from job_leases
      where expires_at < ${now}::timestamptz
      order by expires_at
      limit ${limit}
      for update skip locked
    ) lapsed
    where l.job_id = lapsed.job_id
    returning l.job_id, lapsed.previous_owner, lapsed.lapsed_at
  `.execute(db);
  return rows.rows.map((r) => ({
    jobId: r.job_id,
    previousOwner: r.previous_owner,
    lapsedAt: new Date(r.lapsed_at),
  }));
}

/** Extends this owner's leases; returns the jobs it still holds (others were taken). */
export async function renewLeases(
  db: DbOrTrx,
  owner: string,
  jobIds: readonly string[],
  expiresAt: Date,
): Promise<Set<string>> {
  if (jobIds.length === 0) return new Set();
  const rows = await db
    .updateTable('job_leases')
    .set({ expires_at: expiresAt })
    .where('owner', '=', owner)
    .where('job_id', 'in', [...jobIds])
    .returning('job_id')
    .execute();
  return new Set(rows.map((r) => r.job_id));
}

/** Gives a lease up (the job ended, or this instance is stopping). */
export async function releaseLease(db: DbOrTrx, jobId: string, owner: string): Promise<void> {
  await db
    .deleteFrom('job_leases')
    .where('job_id', '=', jobId)
    .where('owner', '=', owner)
    .execute();
}

/** Marks this owner's leases as lapsed so another instance takes them over at once. */
export async function handOverLeases(
  db: DbOrTrx,
  owner: string,
  jobIds: readonly string[],
): Promise<void> {
  if (jobIds.length === 0) return;
  await db
    .updateTable('job_leases')
    .set({ expires_at: sql<Date>`'-infinity'::timestamptz` })
    .where('owner', '=', owner)
    .where('job_id', 'in', [...jobIds])
    .execute();
}

/**
 * Whether `owner` still holds the job's lease, read with FOR SHARE: a takeover
 * being committed is waited for, so once it has committed the old owner sees it.
 */
export async function holdsLease(trx: Trx, jobId: string, owner: string): Promise<boolean> {
  const row = await trx
    .selectFrom('job_leases')
    .select('owner')
    .where('job_id', '=', jobId)
    .forShare()
    .executeTakeFirst();
  return row?.owner === owner;
}

/** Who holds a job's lease, if anyone. */
export async function leaseOwner(db: DbOrTrx, jobId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('job_leases')
    .select('owner')
    .where('job_id', '=', jobId)
    .executeTakeFirst();
  return row?.owner;
}

/** Jobs past their deadline that no instance is working on (queued or pending ones). */
export async function findUnheldJobsPastDeadline(
  db: DbOrTrx,
  now: Date,
  limit: number,
): Promise<string[]> {
  const rows = await db
    .selectFrom('jobs')
    .select('id')
    .where('status', 'in', ['pending', 'queued'])
    .where('expires_at', '<=', now)
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}
