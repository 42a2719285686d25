import { sql } from 'kysely';
import type { OriginalRef, PlannedRequest } from '../../domain/job.plan.js';
import type { MessageParams } from '../../domain/request.schema.js';
import type { DbOrTrx, Trx } from '../schema/index.js';

// Rows go in as columns of arrays (`unnest`): one statement per chunk with a
// handful of parameters, however many rows, instead of several parameters a row.
const CHUNK = 10_000;

/** A request as stored with its job: its place, its fingerprint and, for a duplicate, its original. */
export type StoredRequest = PlannedRequest;

/** Writes a job's requests in chunks (a duplicate's params are not kept twice: it is never sent). */
export async function insertJobRequests(
  trx: Trx,
  jobId: string,
  requests: readonly StoredRequest[],
): Promise<void> {
  for (let i = 0; i < requests.length; i += CHUNK) {
    const chunk = requests.slice(i, i + CHUNK);
    await sql`
      insert into job_requests
        (job_id, ordinal, custom_id, params, fingerprint, original_job_id, original_ordinal)
      select ${jobId}, r.*
      from unnest(
        ${chunk.map((r) => r.ordinal)}::int[],
        ${chunk.map((r) => r.customId)}::text[],
        ${chunk.map((r) => (r.original ? null : JSON.stringify(r.params)))}::jsonb[],
        ${chunk.map((r) => r.fingerprint)}::text[],
        ${chunk.map((r) => r.original?.jobId ?? null)}::text[],
        ${chunk.map((r) => r.original?.ordinal ?? null)}::int[]
      ) as r
    `.execute(trx);
  }
}

/**
 * Makes the job the original of each fingerprint that has no live original:
 * none yet, or one out of the window (`since`; a job that can no longer answer
 * has removed its rows, forgetOriginals). Returns the fingerprints it now holds; one held by a live original
 * (perhaps of a creation committing at this moment, whose insert this one
 * waits for) is left alone. Rows go in fingerprint order, so two creations
 * sharing fingerprints take their row locks in the same order.
 */
export async function claimOriginals(
  trx: Trx,
  tenant: string,
  jobId: string,
  originals: ReadonlyArray<{ fingerprint: string; ordinal: number }>,
  createdAt: Date,
  since: Date,
): Promise<Set<string>> {
  const claimed = new Set<string>();
  const sorted = [...originals].sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : 1));
  for (let i = 0; i < sorted.length; i += CHUNK) {
    const chunk = sorted.slice(i, i + CHUNK);
    const rows = await sql<{ fingerprint: string }>`
      insert into request_fingerprints as f (tenant, fingerprint, job_id, ordinal, created_at)
      select ${tenant}, r.fingerprint, ${jobId}, r.ordinal, ${createdAt}::timestamptz
      from unnest(${chunk.map((r) => r.fingerprint)}::text[], ${chunk.map((r) => r.ordinal)}::int[])
        as r (fingerprint, ordinal)
      on conflict (tenant, fingerprint) do update
        set job_id = excluded.job_id, ordinal = excluded.ordinal, created_at = excluded.created_at
        where f.created_at <= ${since}::timestamptz
      returning fingerprint
    `.execute(trx);
    for (const row of rows.rows) claimed.add(row.fingerprint);
  }
  return claimed;
}

/** A job that can no longer answer (cancelled, failed, expired, deleted) is nobody's original. */
export async function forgetOriginals(trx: Trx, jobId: string): Promise<void> {
  await trx.deleteFrom('request_fingerprints').where('job_id', '=', jobId).execute();
}

/**
 * For each fingerprint, the tenant's original request within the window (its
 * job may still give it an answer: the others removed their rows).
 */
export async function findDuplicateOriginals(
  db: DbOrTrx,
  tenant: string,
  fingerprints: readonly string[],
  since: Date,
): Promise<Map<string, OriginalRef>> {
  const found = new Map<string, OriginalRef>();
  const unique = [...new Set(fingerprints)];
  for (let i = 0; i < unique.length; i += CHUNK) {
    const chunk = unique.slice(i, i + CHUNK);
    const rows = await db
      .selectFrom('request_fingerprints')
      .select(['fingerprint', 'job_id', 'ordinal'])
      .where('tenant', '=', tenant)
      .where('fingerprint', '=', sql<string>`any(${chunk}::text[])`)
      .where('created_at', '>', since)
      .execute();
    for (const row of rows) found.set(row.fingerprint, { jobId: row.job_id, ordinal: row.ordinal });
  }
  return found;
}

/** A request ready to be sent: its ordinal, its params, and their size as JSON. */
export interface SendableRequest {
  ordinal: number;
  params: MessageParams;
  bytes: number;
}

/**
 * Whether the job_requests row `r` of the job waits to be sent: an original (a duplicate is
 * never sent) with no final outcome, in no batch that is still open; with `only`, one of those
 * ordinals (cache priming holds the others back).
 */
export function waitsToBeSent(jobId: string, only?: readonly number[]) {
  const among = only ? sql`and r.ordinal = any(${only}::int[])` : sql``;
  return sql<boolean>`r.job_id = ${jobId} ${among}
    and r.original_job_id is null
    and not exists (
      select 1 from request_results x
      where x.job_id = r.job_id and x.ordinal = r.ordinal and x.final)
    and not exists (
      select 1 from batch_requests br
      join job_batches b on b.job_id = br.job_id and b.batch_key = br.batch_key
      where br.job_id = r.job_id and br.ordinal = r.ordinal and b.status <> 'collected')`;
}

/**
 * Originals of a job with no final outcome and not in a batch that is still
 * open: the ones to send next, in order.
 */
export async function selectSendableRequests(
  db: DbOrTrx,
  jobId: string,
  limit: number,
  only?: readonly number[],
): Promise<SendableRequest[]> {
  const rows = await sql<{ ordinal: number; params: MessageParams; bytes: number }>`
    select r.ordinal, r.params, octet_length(r.params::text) as bytes
    from job_requests r
    where ${waitsToBeSent(jobId, only)}
    order by r.ordinal
    limit ${limit}
  `.execute(db);
  return rows.rows.map((r) => ({ ordinal: r.ordinal, params: r.params, bytes: Number(r.bytes) }));
}

/**
 * Puts the next requests to send into a new batch, in one statement: originals
 * of the job with no final outcome and not in a batch still open, in order, up
 * to `limit` requests and `maxBytes` of params (each counted with 100 bytes for
 * its envelope; the first is taken whatever its size). Returns them with their params.
 */
export async function takeSendableRequests(
  trx: Trx,
  jobId: string,
  batchKey: string,
  limit: number,
  maxBytes: number,
  only?: readonly number[],
): Promise<Array<{ ordinal: number; params: MessageParams }>> {
  const rows = await sql<{ ordinal: number; params: MessageParams }>`
    with candidates as (
      select r.ordinal, r.params,
             sum(octet_length(r.params::text) + 100) over (order by r.ordinal) as running
      from job_requests r
      where ${waitsToBeSent(jobId, only)}
      order by r.ordinal
      limit ${limit}
    ), chosen as (
      select ordinal, params from candidates
      where running <= ${maxBytes} or ordinal = (select min(ordinal) from candidates)
    ), taken as (
      insert into batch_requests (job_id, batch_key, ordinal)
      select ${jobId}, ${batchKey}, ordinal from chosen
      returning ordinal
    )
    select c.ordinal, c.params from chosen c join taken t using (ordinal) order by c.ordinal
  `.execute(trx);
  return rows.rows;
}

/** Records which requests an intended batch holds. */
export async function insertBatchRequests(
  trx: Trx,
  jobId: string,
  batchKey: string,
  ordinals: readonly number[],
): Promise<void> {
  for (let i = 0; i < ordinals.length; i += CHUNK * 5) {
    await sql`
      insert into batch_requests (job_id, batch_key, ordinal)
      select ${jobId}, ${batchKey}, ordinal
      from unnest(${ordinals.slice(i, i + CHUNK * 5)}::int[]) as ordinal
    `.execute(trx);
  }
}

/** The requests of a batch with their params, as they are sent (ordinal order). */
export async function readBatchRequests(
  db: DbOrTrx,
  jobId: string,
  batchKey: string,
): Promise<Array<{ ordinal: number; params: MessageParams }>> {
  const rows = await db
    .selectFrom('batch_requests as br')
    .innerJoin('job_requests as r', (join) =>
      join.onRef('r.job_id', '=', 'br.job_id').onRef('r.ordinal', '=', 'br.ordinal'),
    )
    .select(['br.ordinal', 'r.params'])
    .where('br.job_id', '=', jobId)
    .where('br.batch_key', '=', batchKey)
    .orderBy('br.ordinal')
    .execute();
  return rows.map((r) => ({ ordinal: r.ordinal, params: r.params as MessageParams }));
}

/** Duplicates of this job whose original has no final outcome yet. */
export async function countWaitingDuplicates(db: DbOrTrx, jobId: string): Promise<number> {
  const row = await sql<{ waiting: number }>`
    select count(*)::int as waiting
    from job_requests r
    where r.job_id = ${jobId}
      and r.original_job_id is not null
      and not exists (
        select 1 from request_results x
        where x.job_id = r.original_job_id and x.ordinal = r.original_ordinal and x.final)
  `.execute(db);
  return row.rows[0]?.waiting ?? 0;
}

/** The ordinal of a request by its custom_id, or undefined. */
export async function findRequestOrdinal(
  db: DbOrTrx,
  jobId: string,
  customId: string,
): Promise<{ ordinal: number; isDuplicate: boolean } | undefined> {
  const row = await db
    .selectFrom('job_requests')
    .select(['ordinal', 'original_job_id'])
    .where('job_id', '=', jobId)
    .where('custom_id', '=', customId)
    .executeTakeFirst();
  return row ? { ordinal: row.ordinal, isDuplicate: row.original_job_id !== null } : undefined;
}
