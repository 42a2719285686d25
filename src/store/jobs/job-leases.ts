import { sql } from 'kysely';
import { Priority } from '../../domain/priority.js';
import { EVENT_COLUMNS, rememberHeadsOf, rowToRecordedEvent } from '../event-store.js';
import type { RecordedEvent } from '../event-store.types.js';
import { PreparedStatement } from '../prepared-statements.js';
import type { DbOrTrx, EventRow, Trx } from '../schema/index.js';

/** Fair shares of one instance's slots between tenants (see claimQueuedJobs). */
export interface ClaimShares {
  /** Jobs this instance holds now, by tenant. */
  heldHere: ReadonlyMap<string, number>;
  /**
   * Slots of this instance a tenant may hold unless tenant_limits says otherwise, once jobs of
   * more than one tenant exist (a lone tenant may hold every slot).
   */
  tenantMaxConcurrentJobs: number;
  /** How many of its jobs here a tenant's priority above NORMAL counts for. */
  prioritySlots: number;
}

/**
 * Claims up to `limit` jobs that need an instance for `owner` by taking their leases, and
 * reads their logs, in one statement (answers the claimed jobs' events, each job's in version
 * order). Claimable: queued jobs, and processing jobs nobody holds (a paused job gave its slot
 * back and was resumed; a job left waiting only for other jobs' originals gave it back, and is
 * ready once they all have their outcome or its deadline at `now` passed).
 *
 * The order is fair between tenants: by priority (lower number first), then by how many jobs
 * the tenant has running everywhere plus the job's place in the tenant's own queue (so tenants
 * take turns: 100 queued jobs of one tenant do not keep another's first job waiting behind
 * them), then oldest. A tenant holds at most its share of this instance's slots (its
 * tenant_limits override, or `tenantMaxConcurrentJobs` once jobs of more than one tenant exist:
 * min and max of the tenant index, two index probes), and its priority above NORMAL counts
 * only for its first `prioritySlots` jobs here: its urgent jobs cannot take every slot.
 * A job with a lease is held (a queued one was claimed a moment ago and is being started);
 * rows another instance is claiming at this moment are skipped (SKIP LOCKED), and a lease
 * taken meanwhile wins (ON CONFLICT).
 */
export async function claimQueuedJobs(
  db: DbOrTrx,
  claim: {
    owner: string;
    limit: number;
    now: Date;
    expiresAt: Date;
    skip?: readonly string[];
    shares: ClaimShares;
  },
): Promise<RecordedEvent[]> {
  if (claim.limit <= 0) return [];
  const skip = [...(claim.skip ?? [])];
  const { heldHere, tenantMaxConcurrentJobs, prioritySlots } = claim.shares;
  const heldTenants = [...heldHere.keys()];
  const heldCounts = heldTenants.map((t) => heldHere.get(t) ?? 0);
  const rows = await db.executeQuery(
    CLAIM_QUEUED_JOBS.bind([
      heldTenants,
      heldCounts,
      skip,
      claim.now,
      Priority.NORMAL,
      prioritySlots,
      tenantMaxConcurrentJobs,
      claim.owner,
      claim.expiresAt,
      claim.limit,
    ]),
  );
  const recorded = rows.rows.map(rowToRecordedEvent);
  // The claimer's first append (its JobStarted) then links to the head it just read.
  rememberHeadsOf(recorded);
  return recorded;
}

/**
 * The claim of claimQueuedJobs. Its cost follows the slots claimed, not the queue: only a
 * tenant's first `limit` jobs can be taken (a tenant's jobs are taken in their own order, and
 * no more than `limit` in all), so each tenant with queued jobs (found by skipping through the
 * jobs_queued_by_tenant index, one probe a tenant) gives at most `limit` queued candidates,
 * read in order from that index; processing jobs nobody holds are few and all looked at. Their
 * places in the tenant's queue are then exact for every job that can be taken.
 * Parameters: held tenants, their counts, ids to skip, now, NORMAL, prioritySlots,
 * tenantMaxConcurrentJobs, owner, expiresAt, limit.
 */
const CLAIM_QUEUED_JOBS = new PreparedStatement<EventRow>(
  'batchkeeper_claim_queued_jobs',
  `with recursive held_here as (
  select * from unnest($1::text[], $2::int[]) as h(tenant, n)
),
queued_tenants as (
  (select j.tenant from jobs j where j.status = 'queued' order by j.tenant limit 1)
  union all
  select (select j.tenant from jobs j
          where j.status = 'queued' and j.tenant > q.tenant
          order by j.tenant limit 1)
  from queued_tenants q where q.tenant is not null
),
running as (
  select j.tenant, count(*)::int as n
  from job_leases l cross join lateral (select tenant from jobs where id = l.job_id) j
  group by j.tenant
),
candidates as (
  select c.*, row_number() over (partition by c.tenant order by c.priority, c.created_at, c.id) as nth
  from (
    select f.id, f.tenant, f.priority, f.created_at
    from queued_tenants q
    cross join lateral (
      select j.id, j.tenant, j.priority, j.created_at
      from jobs j
      where j.status = 'queued' and j.tenant = q.tenant
        and not exists (select 1 from job_leases l where l.job_id = j.id)
        and j.id <> all($3::text[])
      order by j.priority, j.created_at, j.id
      limit $10::int
    ) f
    where q.tenant is not null
    union all
    select j.id, j.tenant, j.priority, j.created_at
    from jobs j
    where j.status = 'processing'
      and not exists (select 1 from job_leases l where l.job_id = j.id)
      and j.id <> all($3::text[])
      and (j.expires_at <= $4::timestamptz
           or not exists (
             select 1 from job_requests r
             where r.job_id = j.id and r.original_job_id is not null
               and not exists (select 1 from request_results x
                               where x.job_id = r.original_job_id
                                 and x.ordinal = r.original_ordinal and x.final)))
  ) c
),
picked as (
  select c.id,
         row_number() over (order by
           case when c.priority < $5::int and coalesce(h.n, 0) + c.nth > $6::int
                then $5::int else c.priority end,
           coalesce(r.n, 0) + c.nth, c.created_at, c.id) as turn
  from candidates c
  left join running r on r.tenant = c.tenant
  left join held_here h on h.tenant = c.tenant
  left join tenant_limits t on t.tenant = c.tenant
  where coalesce(h.n, 0) + c.nth <= coalesce(
    t.max_concurrent_jobs,
    case when (select min(tenant) from jobs) is distinct from (select max(tenant) from jobs)
         then $7::int end,
    c.nth + coalesce(h.n, 0))
),
claimed as (
  insert into job_leases (job_id, owner, expires_at, acquired_at)
  select c.id, $8::text, $9::timestamptz, $4::timestamptz
  from (
    select j.id from jobs j join picked p on p.id = j.id
    order by p.turn
    limit $10::int
    for update of j skip locked
  ) c
  on conflict (job_id) do nothing
  returning job_id
)
select ${EVENT_COLUMNS.map((c) => `e.${c}`).join(', ')}
from claimed c join events e on e.stream_id = c.job_id
order by e.stream_id, e.version`,
);

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
): Promise<Array<{ jobId: string; tenant: string; previousOwner: string; lapsedAt: Date }>> {
  if (limit <= 0) return [];
  const rows = await sql<{
    job_id: string;
    previous_owner: string;
    lapsed_at: Date;
    tenant: string;
  }>`
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
    returning l.job_id, lapsed.previous_owner, lapsed.lapsed_at,
      (select j.tenant from jobs j where j.id = l.job_id) as tenant
  `.execute(db);
  return rows.rows.map((r) => ({
    jobId: r.job_id,
    tenant: r.tenant,
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
