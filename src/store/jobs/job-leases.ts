import { sql } from 'kysely';
import type { DbOrTrx, Trx } from '../schema/index.js';

/**
 * Claims up to `limit` jobs that need an instance, in priority order (lower
 * number first, then oldest): queued jobs, and processing jobs nobody holds
 * (a paused job gave its slot back and was resumed; a job left waiting only
 * for other jobs' originals gave it back, and is ready once they all have
 * their outcome or its deadline at `now` passed). Rows another instance is
 * claiming at this moment are skipped.
 */
export async function claimQueuedJobs(
  trx: Trx,
  limit: number,
  now: Date,
  skip: readonly string[] = [],
): Promise<string[]> {
  if (limit <= 0) return [];
  const rows = await trx
    .selectFrom('jobs')
    .select('id')
    .$if(skip.length > 0, (qb) => qb.where('id', '<>', sql<string>`all(${[...skip]}::text[])`))
    // A queued job with a lease was claimed a moment ago and not started yet.
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('job_leases')
            .select('job_id')
            .whereRef('job_leases.job_id', '=', 'jobs.id'),
        ),
      ),
    )
    .where((eb) =>
      eb.or([
        eb('status', '=', 'queued'),
        eb.and([
          eb('status', '=', 'processing'),
          eb.or([
            eb('expires_at', '<=', now),
            sql<boolean>`not exists (
            select 1 from job_requests r
            where r.job_id = jobs.id and r.original_job_id is not null
              and not exists (select 1 from request_results x
                              where x.job_id = r.original_job_id
                                and x.ordinal = r.original_ordinal and x.final))`,
          ]),
        ]),
      ]),
    )
    .orderBy('priority')
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
  return rows.map((r) => r.id);
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
 * Takes over up to `limit` leases that lapsed (their owner stopped renewing):
 * the jobs come back to life on this instance.
 */
export async function claimLapsedLeases(
  trx: Trx,
  owner: string,
  now: Date,
  expiresAt: Date,
  limit: number,
): Promise<Array<{ jobId: string; previousOwner: string; lapsedAt: Date }>> {
  if (limit <= 0) return [];
  const lapsed = await trx
    .selectFrom('job_leases')
    .select(['job_id', 'owner', 'expires_at'])
    .where('expires_at', '<', now)
    .orderBy('expires_at')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
  for (const row of lapsed) {
    await trx
      .updateTable('job_leases')
      .set({ owner, expires_at: expiresAt, acquired_at: now })
      .where('job_id', '=', row.job_id)
      .execute();
  }
  return lapsed.map((r) => ({ jobId: r.job_id, previousOwner: r.owner, lapsedAt: r.expires_at }));
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
